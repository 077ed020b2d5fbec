/**
 * hilum's one authorization module: every API decision comes from here (the route
 * gate from the matrix, record ownership, data visibility, access-request rules,
 * URL lifetimes). Pure: no AWS, no I/O. See docs/access.md.
 */
export * from './roles';
export * from './matrix';
export * from './route-gate';
export * from './data';
export * from './records';
export * from './requests';
export * from './releases';
export * from './url-lifetime';
export * from './errors';
