// Compiled with `tsc --noEmit` by tests/node/types.test.mjs: the .d.ts a TypeScript user relies on.
// Every `@ts-expect-error` line must be an error, or tsc fails.
import init, { IotClient, signRpc, ThingcallError } from '../../pkg/thingcall.js';
import type { InvokeThingServiceResult, PropertyStatus, Outcome, IotClientOptions, SelfTestReport, SelfTestCheck, SignatureDiagnosis } from '../../pkg/thingcall.js';

export async function usage(): Promise<void> {
  await init();
  const s: string = signRpc({ method: 'GET', params: { a: 'b', n: 1, f: true }, accessKeySecret: 'k' }).signature;
  // @ts-expect-error: method is GET or POST
  signRpc({ method: 'PUT', params: {}, accessKeySecret: 'k' });
  // @ts-expect-error: params values are scalars
  signRpc({ method: 'GET', params: { a: { b: 1 } }, accessKeySecret: 'k' });

  const options: IotClientOptions = {
    endpoint: 'https://iot.cn-shanghai.aliyuncs.com/',
    credentials: async () => ({ accessKeyId: 'STS.x', accessKeySecret: 'y', securityToken: 'z', expiration: new Date() }),
    retry: { maxAttempts: 3, retryUnknown: false },
  };
  const client = new IotClient(options);
  const r: InvokeThingServiceResult = await client.invokeThingService(
    { productKey: 'pk', deviceName: 'dn', identifier: 'Echo', args: { text: 'hi' } },
    { signal: new AbortController().signal, timeoutMs: 5000 },
  );
  const mode: 'sync' | 'async' = r.mode;
  const text = (r.result?.data as { text: string } | undefined)?.text;
  const deviceCode: number | undefined = r.code;
  await client.invokeThingService({ iotId: 'id', identifier: 'Blink' });
  // @ts-expect-error: a device is needed
  await client.invokeThingService({ identifier: 'Echo' });
  const props: PropertyStatus[] = (await client.queryDevicePropertyStatus({ iotId: 'id' })).properties;
  const url: string = client.presign('QueryDeviceDetail', { IotId: 'x' }, { nonce: 'n', timestamp: new Date() });
  const offset: number = client.clockOffsetMs;
  try {
    await client.call('QueryThingModel', { ProductKey: 'pk' });
  } catch (e) {
    if (e instanceof ThingcallError) {
      const o: Outcome = e.outcome;
      const retry: boolean = e.retryable;
      const code: string = e.code;
      const cause: SignatureDiagnosis['cause'] | undefined = e.diagnosis?.cause;
      const where: number | undefined = e.diagnosis?.position;
      void [o, retry, code, cause, where];
    }
  }
  const report: SelfTestReport = await client.selfTest();
  const failed: SelfTestCheck[] = report.checks.filter((c) => c.status === 'fail');
  const lifetime: number | undefined = report.credentialsExpireInMs;
  // @ts-expect-error: not a check's status
  const bad: SelfTestCheck['status'] = 'maybe';
  void [s, mode, text, deviceCode, props, url, offset, report.ok, failed, lifetime, bad];
}
