/** A failure told to a person: what was wrong, where (an input or a credential), and the fix. */
export class ActionError extends Error {
  constructor(
    readonly problem: string,
    readonly fix: string,
    readonly input?: string,
  ) {
    super(`${input ? `Input '${input}': ` : ''}${problem}${fix ? ` ${fix}` : ''}`);
    this.name = 'ActionError';
  }
}

/** Every bad input at once, so one run shows the user all of them. */
export class InputErrors extends Error {
  constructor(readonly errors: ActionError[]) {
    super(
      errors.length === 1
        ? errors[0].message
        : `${errors.length} inputs are invalid; nothing was built or pushed:\n${errors.map((e) => `- ${e.message}`).join('\n')}`,
    );
    this.name = 'InputErrors';
  }
}
