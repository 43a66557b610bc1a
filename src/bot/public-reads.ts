import type { Logger } from 'pino';
import { normalizeAsset } from '../kraken/assets.js';
import type { RateBudget } from '../kraken/budget.js';
import type { KrakenApi } from '../kraken/client.js';
import type { Observed, PairAssets } from './account-reader.js';
import type { Config } from './config.js';
import type { KrakenFaults } from './kraken-faults.js';

/** Offsets from Kraken's Time endpoint smaller than this are noise of its whole-second answers. */
const CLOCK_OFFSET_RESOLUTION_SEC = 2;

/** The loop's fields the public reads fill. */
export interface PublicReadsHost {
  readonly config: Config;
  readonly kraken: KrakenApi;
  readonly budget: RateBudget;
  readonly faults: KrakenFaults;
  readonly price: Observed<number>;
  readonly log: Logger;
  pair: PairAssets | null;
  pairError: string | null;
  krakenClockOffsetSec: number;
  nowSec(): number;
}

/** The public half of a tick (no private budget): the pair once, the price, Kraken's clock. */
export async function readPublic(d: PublicReadsHost, signal?: AbortSignal): Promise<void> {
  await refreshPair(d, signal);
  await refreshPrice(d, signal);
  await refreshKrakenClock(d, signal);
}

async function refreshPair(d: PublicReadsHost, signal?: AbortSignal): Promise<void> {
  if (d.pair !== null) return;
  try {
    const info = await d.kraken.assetPairs(d.config.KRAKEN_PAIR, signal);
    const base = normalizeAsset(info.base).asset;
    const quote = normalizeAsset(info.quote).asset;
    d.pair = { info, base, quote };
    d.pairError = null;
    d.log.info({ pair: info.altname, base, quote }, 'pair resolved');
  } catch (err) {
    d.pairError = d.faults.note(err, 'AssetPairs');
  }
}

/**
 * Ledger row times are Kraken's clock. Every time compared with them (the baseline's time, a poll's
 * bootstrap and `end`) is taken on Kraken's clock too, so a skewed host clock cannot hide or double a flow.
 */
async function refreshKrakenClock(d: PublicReadsHost, signal?: AbortSignal): Promise<void> {
  try {
    const before = d.nowSec();
    const server = await d.kraken.serverTime(signal);
    const after = d.nowSec();
    // Kraken answers whole seconds, so an offset under ~2 s is below what Time can tell from in-sync clocks;
    // adopting it would move the baseline's time by up to a second and misplace a flow at that edge. A slow
    // answer (a loaded machine) widens that doubt by half its round trip: such a sample cannot tell 2 s either.
    const estimate = server + 0.5 - (before + after) / 2;
    const doubt = CLOCK_OFFSET_RESOLUTION_SEC + (after - before) / 2;
    d.krakenClockOffsetSec = Math.abs(estimate) < doubt ? (after - before > CLOCK_OFFSET_RESOLUTION_SEC ? d.krakenClockOffsetSec : 0) : estimate;
    d.budget.clockOffsetSec = d.krakenClockOffsetSec; // for the times Kraken names in Throttled answers
  } catch (err) {
    d.faults.note(err, 'Time'); // keep the last known offset
  }
}

async function refreshPrice(d: PublicReadsHost, signal?: AbortSignal): Promise<void> {
  try {
    const last = Number(await d.kraken.ticker(d.config.KRAKEN_PAIR, signal));
    d.price.value = last;
    d.price.ts = d.nowSec();
    d.price.ok = true;
    d.price.error = null;
  } catch (err) {
    d.price.ok = false;
    d.price.error = d.faults.note(err, 'Ticker');
  }
}
