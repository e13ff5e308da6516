const require=process.getBuiltinModule('node:module').createRequire(import.meta.url);
import{b as a,c as b}from"./chunk-MVISBPHM.js";import"./chunk-S2NCT5WY.js";import"./chunk-RFMQMDNT.js";import"./chunk-YQGYO64K.js";export{a as context,b as getOctokit};
