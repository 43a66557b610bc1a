import type { SyntheticBot } from '../kraken/sim/index.js';

/**
 * One step of activity on the simulated account (trades, deposits, withdrawals, price moves). Actors run
 * between two daemon ticks, never during one, so every tick reads balances, ledger, price and the bot's P&L
 * from one consistent moment.
 */
export type DemoActor = () => void;

/**
 * What happens on the demo account at each step, in the simulated week and live alike.
 *
 * Hook for the simulator's Auto Earn and rewards rows: whatever `SyntheticBot.step()` writes is already in
 * both phases; an activity that comes as a method of its own (say `bot.earnStep()`) is added to this list,
 * and then appears in the simulated week and in the live demo with no other change.
 */
export function demoActors(bot: SyntheticBot): DemoActor[] {
  return [
    () => {
      bot.step();
    },
  ];
}
