import { describe, expect, it } from '@jest/globals';
import { context, settings } from '../../__fixtures__/settings.js';
import { imageLabels, indexAnnotations } from '../../src/settings/labels.js';

const now = new Date('2026-01-02T03:04:05Z');

describe('the labels that link and describe the package', () => {
  it('point at the repository on the server, with revision, time, version and title', () => {
    expect(imageLabels(settings(), context, now)).toEqual({
      'org.opencontainers.image.source': 'https://github.com/Acme/Widget',
      'org.opencontainers.image.revision': context.sha,
      'org.opencontainers.image.created': '2026-01-02T03:04:05.000Z',
      'org.opencontainers.image.version': '1.2.3',
      'org.opencontainers.image.title': 'widget',
    });
  });

  it('add description and licenses when given, and the user labels last', () => {
    const labels = imageLabels(
      settings({
        description: 'Widgets',
        licenses: 'MIT OR Apache-2.0',
        labels: { 'org.opencontainers.image.title': 'Widget', team: 'a' },
      }),
      context,
      now,
    );
    expect(labels).toMatchObject({
      'org.opencontainers.image.description': 'Widgets',
      'org.opencontainers.image.licenses': 'MIT OR Apache-2.0',
      'org.opencontainers.image.title': 'Widget',
      team: 'a',
    });
  });

  it("carry the run's version, and fill the placeholders of the user's labels", () => {
    const labels = imageLabels(
      settings({
        tags: ['app-1.2.3-alpine'],
        version: '1.2.3',
        labels: { 'app.version': '{{version}}', 'app.built': '{{created}} {{other}}' },
      }),
      context,
      now,
    );
    expect(labels).toMatchObject({
      'org.opencontainers.image.version': '1.2.3',
      'app.version': '1.2.3',
      'app.built': `${labels['org.opencontainers.image.created']} {{other}}`,
    });
  });

  it('give the index the annotations ghcr.io reads', () => {
    const labels = imageLabels(settings({ description: 'Widgets' }), context, now);
    expect(indexAnnotations(labels)).toEqual({
      'org.opencontainers.image.source': 'https://github.com/Acme/Widget',
      'org.opencontainers.image.description': 'Widgets',
    });
  });
});
