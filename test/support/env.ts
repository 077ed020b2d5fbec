// The pinned AWS SDK warns that later releases need Node 22; the pin is deliberate.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
