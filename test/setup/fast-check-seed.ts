// Property tests run on a fixed seed so a CI run is reproducible: a failure prints its seed and counterexample,
// and the same command shows it again. FC_SEED=<n> (or FC_SEED=random) explores other histories.
import fc from 'fast-check';

const raw = process.env.FC_SEED;
const seed = raw === 'random' ? Date.now() ^ (Math.random() * 0x7fffffff) : Number(raw ?? 20_261_204);
if (!Number.isSafeInteger(seed)) throw new Error(`FC_SEED must be an integer or "random" (got ${JSON.stringify(raw)})`);
fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });
