/** fiml-perf's version, as package.json says (a test keeps the two in step). */
export const VERSION = '0.1.0';
