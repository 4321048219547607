/**
 * Entry point of `npm run bench`. The environment is set before the broker's modules load,
 * because their logger, metrics and AWS clients read it at import time. Logs below ERROR and EMF
 * metrics are off, so the output stays readable and costs no CPU. Local credentials keep the SDK
 * from looking for any other credential source.
 */
process.env.AWS_ACCESS_KEY_ID ??= 'local';
process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
process.env.AWS_REGION ??= 'us-east-1';
process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

const { runBenchmarks } = await import('./main');
await runBenchmarks();
export {};
