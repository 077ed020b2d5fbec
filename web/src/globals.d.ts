/** Set by vite.config.ts: false in the AWS build, which must not contain the local role picker. */
declare const HILUM_LOCAL_SIGN_IN: boolean;
