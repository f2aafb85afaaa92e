// Imported first (cucumber.yaml "import" order).
// ts-node's ESM hooks run off-thread, so its source-map support never reaches the
// main thread: turn on Node's own, so step locations and stacks point at .ts lines.
process.setSourceMapsEnabled(true);
// The AWS SDK warns once per process on Node < 22.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
