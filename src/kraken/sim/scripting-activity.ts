import { z } from 'zod';
import type { ActivityResult } from './activity.js';
import type { KrakenSim } from './server.js';

/** JSON bodies of POST /_sim/activity: one `kind` per AccountActivity method. */
const decimal = z.union([z.string(), z.number()]).transform(String);
const time = z.number().optional();
const move = { asset: z.string().min(1), amount: decimal, time };
const swap = { spend: z.string().min(1), spendAmount: decimal, fee: decimal.optional(), receive: z.string().min(1), receiveAmount: decimal, time };
const from = z.enum(['auto', 'spot', 'earn']).optional();
const direction = z.enum(['to', 'from']);

export const activityBody = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('auto-earn'),
    asset: z.string().min(1),
    enabled: z.boolean(),
    form: z.enum(['transfer', 'earn']).optional(),
    allocateExisting: z.boolean().optional(),
    time,
  }),
  z.object({ kind: z.literal('allocate'), ...move }),
  z.object({ kind: z.literal('deallocate'), ...move }),
  z.object({
    kind: z.literal('reward'),
    ...move,
    type: z.enum(['earn', 'staking', 'reward']).optional(),
    wallet: z.enum(['F', 'S', 'M', 'B']).optional(),
  }),
  z.object({ kind: z.literal('deposit'), ...move, fee: decimal.optional() }),
  z.object({ kind: z.literal('withdraw'), ...move, fee: decimal.optional() }),
  z.object({ kind: z.literal('reverse-withdrawal'), refid: z.string().min(1), time }),
  z.object({ kind: z.literal('failed-withdrawal'), ...move, fee: decimal.optional(), reversalTime: z.number().optional() }),
  z.object({ kind: z.literal('app-purchase'), ...swap }),
  z.object({ kind: z.literal('futures-transfer'), ...move, direction }),
  z.object({ kind: z.literal('staking-move'), ...move, direction }),
  z.object({ kind: z.literal('adjustment'), ...move }),
  z.object({ kind: z.literal('credit'), ...move }),
  z.object({ kind: z.literal('unknown-row'), ...move, type: z.string().min(1).optional(), subtype: z.string().optional() }),
  z.object({
    kind: z.literal('trade'),
    side: z.enum(['buy', 'sell']),
    volume: decimal,
    price: decimal.optional(),
    fee: decimal.optional(),
    feeRate: z.number().nonnegative().optional(),
    from,
    time,
  }),
  z.object({ kind: z.literal('other-pair-trade'), ...swap, from }),
]);

export type ActivityBody = z.infer<typeof activityBody>;

/** Run one scripted activity; Auto Earn's switch answers with the rows it wrote and its new status. */
export function runActivity(sim: KrakenSim, body: ActivityBody): ActivityResult | { rows: unknown[]; auto_earn: unknown } {
  const a = sim.activity;
  switch (body.kind) {
    case 'auto-earn': {
      const rows = a.setAutoEarn(body.asset, body.enabled, body);
      return { rows, auto_earn: a.autoEarnStatus() };
    }
    case 'allocate':
      return a.allocate(body.asset, body.amount, body);
    case 'deallocate':
      return a.deallocate(body.asset, body.amount, body);
    case 'reward':
      return a.reward(body.asset, body.amount, body);
    case 'deposit':
      return a.deposit(body.asset, body.amount, body);
    case 'withdraw':
      return a.withdraw(body.asset, body.amount, body);
    case 'reverse-withdrawal':
      return a.reverseWithdrawal(body.refid, body);
    case 'failed-withdrawal':
      return a.failedWithdrawal(body.asset, body.amount, body);
    case 'app-purchase':
      return a.appPurchase(body);
    case 'futures-transfer':
      return a.futuresTransfer(body.asset, body.amount, body.direction, body);
    case 'staking-move':
      return a.stakingMove(body.asset, body.amount, body.direction, body);
    case 'adjustment':
      return a.adjustment(body.asset, body.amount, body);
    case 'credit':
      return a.credit(body.asset, body.amount, body);
    case 'unknown-row':
      return a.unknownRow(body.asset, body.amount, body);
    case 'trade':
      return a.trade({ ...body, price: body.price ?? sim.getPrice() });
    case 'other-pair-trade':
      return a.otherPairTrade(body);
  }
}
