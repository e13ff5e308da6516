const require=process.getBuiltinModule('node:module').createRequire(import.meta.url);
import{b as a,c as b}from"./chunk-XZECMSQJ.js";import"./chunk-KYONRXBY.js";import"./chunk-6CI3ZTEW.js";export{a as context,b as getOctokit};
