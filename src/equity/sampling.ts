/**
 * Whether the loop should take an equity sample now. The first sample is due at once (no previous sample);
 * after that one every `intervalSec`. If the clock moved backwards past the last sample, a sample is due
 * too: waiting for the clock to catch up would leave a hole in the chart for as long as the jump.
 */
export function isSampleDue(lastSampleTs: number | null, now: number, intervalSec: number): boolean {
  if (lastSampleTs === null) return true;
  if (now < lastSampleTs) return true;
  return now - lastSampleTs >= intervalSec;
}
