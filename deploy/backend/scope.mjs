// The relay's check of what a page may ask the platform to do. A temporary key's session policy
// is what the platform enforces, and the platform's RAM authorization for IoT is documented per
// API (`Resource` "*"): its job actions, above all, act on whatever product a request names. The
// relay knows the dashboard's scope (its actions, its products), so it reads every relayed
// request and forwards it only when the request stays inside that scope. The signature is not
// touched: a request is forwarded byte for byte, or refused.
//
// What a request may name, and how each is checked:
//   Action                     one of the dashboard's actions
//   ProductKey                 one of the dashboard's products
//   IotId, IotId.N             a device of one of them: resolved to its product (cached)
//   TargetConfig (CreateJob)   PRODUCT_KEY of one of them, or DEVICE targets all of them
//   JobId                      a job created through this relay
// A name the check reads may appear once (query and body together), spelled as the platform
// spells it: a second copy, or the same name in other letter case, is refused rather than
// guessed at. With no products configured, only the action is checked.

/** Actions that name no product: the account's product list, and jobs (checked by JobId). */
const NO_PRODUCT = new Set(['QueryProductList', 'QueryJob', 'QueryJobStatistics', 'ListTask', 'CancelJob', 'CreateJob']);
/** The names the check reads, in lower case (IotId.N as `iotid.`). */
const CHECKED = ['action', 'productkey', 'iotid', 'targetconfig', 'jobid'];
/** Jobs remembered per relay (the oldest forgotten first). */
const MAX_JOBS = 10_000;
/** IotIds remembered per relay. */
const MAX_DEVICES = 10_000;

/** A refusal: the platform's own code for a permission the key lacks (outcome `rejected`). */
export class OutOfScope extends Error {
  constructor(action, why) {
    super(`The RAM user or role does not have the permission iot:${action || 'unknown'} on this resource (the dashboard's relay: ${why}).`);
    this.action = action;
  }
}

/**
 * The scope of one dashboard. `resolveIotId(iotId)` resolves a device to its ProductKey (or
 * throws); it is called once per IotId (the answer is cached).
 */
export function createScope({ actions, products, resolveIotId }) {
  const allowedActions = new Set(actions);
  const allowedProducts = new Set(products);
  const scoped = allowedProducts.size > 0;
  const jobs = new Set();
  const devices = new Map(); // IotId -> ProductKey

  const remember = (set, key, max) => {
    if (set.size >= max) set.delete(set.keys().next().value);
    set.add(key);
  };

  async function productOf(iotId) {
    if (devices.has(iotId)) return devices.get(iotId);
    const pk = await resolveIotId(iotId);
    if (devices.size >= MAX_DEVICES) devices.delete(devices.keys().next().value);
    devices.set(iotId, pk);
    return pk;
  }

  /**
   * Checks one request (`params`: its query and form body as [name, value] pairs, decoded);
   * resolves when it may be forwarded, rejects with OutOfScope when not.
   */
  async function check(params) {
    const named = new Map(); // lower-case checked name -> [name, value]
    for (const [name, value] of params) {
      const lower = name.toLowerCase();
      const key = lower.startsWith('iotid.') ? lower : CHECKED.includes(lower) ? lower : null;
      if (!key) continue;
      if (named.has(key)) throw new OutOfScope(actionOf(params), `${name} is given more than once`);
      named.set(key, [name, value]);
    }
    const action = named.get('action')?.[1];
    for (const [key, [name]] of named) {
      const canonical = key === 'productkey' ? 'ProductKey' : key === 'targetconfig' ? 'TargetConfig' : key === 'jobid' ? 'JobId' : key === 'action' ? 'Action' : `IotId${name.slice(5)}`;
      if (name !== canonical) throw new OutOfScope(action, `${name} is not spelled ${canonical}`);
    }
    if (!action || !allowedActions.has(action)) throw new OutOfScope(action, `${action ? `${action} is` : 'a request without an Action is'} not one of the dashboard's actions`);
    if (!scoped) return;

    const productKey = named.get('productkey')?.[1];
    if (productKey !== undefined && !allowedProducts.has(productKey)) throw new OutOfScope(action, `product ${productKey} is not the dashboard's`);
    for (const [key, [, iotId]] of named) {
      if (key !== 'iotid' && !key.startsWith('iotid.')) continue;
      let pk;
      try {
        pk = await productOf(iotId);
      } catch {
        throw new OutOfScope(action, `the device ${iotId} could not be resolved to a product`);
      }
      if (!allowedProducts.has(pk)) throw new OutOfScope(action, `the device ${iotId} is not of the dashboard's products`);
    }
    if (action === 'CreateJob') checkTargets(action, named.get('targetconfig')?.[1]);
    const jobId = named.get('jobid')?.[1];
    if (jobId !== undefined && !jobs.has(jobId)) throw new OutOfScope(action, `job ${jobId} was not created through this dashboard`);
    if (['QueryJob', 'QueryJobStatistics', 'ListTask', 'CancelJob'].includes(action) && jobId === undefined) throw new OutOfScope(action, 'the request names no JobId');
    const named_ = productKey !== undefined || [...named.keys()].some((k) => k.startsWith('iotid'));
    if (!NO_PRODUCT.has(action) && !named_) throw new OutOfScope(action, 'the request names no product or device of the dashboard');
  }

  function checkTargets(action, text) {
    let target;
    try {
      target = JSON.parse(text ?? '');
    } catch {
      throw new OutOfScope(action, 'TargetConfig is not JSON');
    }
    const type = target?.targetType;
    if (type === 'PRODUCT_KEY') {
      if (!allowedProducts.has(target.targetProduct)) throw new OutOfScope(action, `product ${target.targetProduct} is not the dashboard's`);
    } else if (type === 'DEVICE' && Array.isArray(target.targetDevices) && target.targetDevices.length) {
      for (const d of target.targetDevices) {
        if (!allowedProducts.has(d?.productKey) || d.iotId !== undefined) throw new OutOfScope(action, `a target device is not of the dashboard's products`);
      }
    } else {
      throw new OutOfScope(action, `TargetConfig's targetType ${JSON.stringify(type)} is not PRODUCT_KEY or DEVICE targets`);
    }
  }

  /** Notes what a forwarded request's answer created (a job's id), for the requests after it. */
  function answered(params, body) {
    if (actionOf(params) !== 'CreateJob' || body?.Success !== true) return;
    const id = body.JobId ?? body.Data?.JobId;
    if (typeof id === 'string' && id) remember(jobs, id, MAX_JOBS);
  }

  return { check, answered };
}

function actionOf(params) {
  return params.find(([n]) => n === 'Action')?.[1];
}
