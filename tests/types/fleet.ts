// Compiled with tsc --strict by tests/node/types.test.mjs, beside the types `npm run typegen`
// wrote for the emulator's lamp product (tests/types/generated/, made by the test): args and
// items are checked against the thing model in the dashboard's own code. Every
// `@ts-expect-error` line must be an error, or tsc fails.
import { IotClient } from 'thingcall';
import {
  A1LampDemo0_PRODUCT_KEY as PK,
  type A1LampDemo0Invoke,
  type A1LampDemo0Set,
  type A1LampDemo0ServiceCall,
  type A1LampDemo0PropertySet,
  type A1LampDemo0Properties,
  type A1LampDemo0SyncService,
} from './generated/a1LampDemo0.js';

export async function fleet(client: IotClient): Promise<void> {
  const lamp = { productKey: PK, deviceName: 'lamp-01' };
  const on: A1LampDemo0Invoke<'Set'> = { ...lamp, identifier: 'Set', args: { LightSwitch: 1, Brightness: 80 } };
  await client.invokeThingService(on, { checkArgs: true });
  const blink: A1LampDemo0Invoke = { ...lamp, identifier: 'Blink', args: { times: 3 } };
  await client.invokeThingService(blink);
  const echo: A1LampDemo0Invoke<'Echo'> = { ...lamp, identifier: 'Echo', args: { text: 'hi', x: 10 } };
  await client.invokeThingService(echo);

  // @ts-expect-error: LightSwitch is 0 or 1
  const bad1: A1LampDemo0Invoke<'Set'> = { ...lamp, identifier: 'Set', args: { LightSwitch: 2 } };
  // @ts-expect-error: Brightness is a number
  const bad2: A1LampDemo0Invoke<'Set'> = { ...lamp, identifier: 'Set', args: { Brightness: 'high' } };
  // @ts-expect-error: no such service
  const bad3: A1LampDemo0Invoke = { ...lamp, identifier: 'Reboot', args: {} };
  // @ts-expect-error: Blink's times is required
  const bad4: A1LampDemo0Invoke<'Blink'> = { ...lamp, identifier: 'Blink', args: {} };
  // @ts-expect-error: Echo has no input `colour`
  const bad5: A1LampDemo0Invoke<'Echo'> = { ...lamp, identifier: 'Echo', args: { colour: 'red' } };

  const set: A1LampDemo0Set = { ...lamp, items: { Brightness: 10 } };
  await client.setDeviceProperty(set, { checkArgs: true });
  // @ts-expect-error: Temperature is read-only
  const bad6: A1LampDemo0Set = { ...lamp, items: { Temperature: 20.5 } };

  const call: A1LampDemo0ServiceCall<'Set'> = { identifier: 'Set', args: { LightSwitch: 0 } };
  await client.invokeMany([lamp], call, { checkArgs: true });
  const items: A1LampDemo0PropertySet = { items: { LightSwitch: 1 } };
  await client.setPropertyMany([lamp], items, { batch: true });

  const p: A1LampDemo0Properties = { LightSwitch: 1, Brightness: 3, Temperature: 21.5 };
  // @ts-expect-error: read-only
  p.Temperature = 3;
  const sync: A1LampDemo0SyncService = 'Echo';
  // @ts-expect-error: Blink is asynchronous
  const notSync: A1LampDemo0SyncService = 'Blink';
  void [bad1, bad2, bad3, bad4, bad5, bad6, sync, notSync];
}
