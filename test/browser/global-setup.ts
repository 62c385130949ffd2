/**
 * The browser tests drive Debian's Chromium (/usr/bin/chromium) with playwright-core; they
 * never download a bundled browser. A fresh CI machine may not have it: running as root (as
 * CI does), this installs it with apt-get, together with the colour emoji font, without which
 * the 🟢🟡🔴 of the screenshots would be empty boxes. Without root and without Chromium the
 * tests fail with one line that says what to install; they are never skipped silently.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';
const EMOJI_FONT = '/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf';

function apt(args: string[]): void {
  execFileSync('apt-get', args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, timeout: 600_000 });
}

export default function setup(): void {
  const missing: string[] = [];
  if (!existsSync(CHROMIUM)) missing.push('chromium');
  if (!existsSync(EMOJI_FONT)) missing.push('fonts-noto-color-emoji');
  if (missing.length === 0) return;
  const root = process.getuid?.() === 0;
  if (!root || !existsSync('/usr/bin/apt-get')) {
    if (missing.includes('chromium')) {
      throw new Error(`the browser tests need Debian's chromium at ${CHROMIUM}: run them as root (the setup installs it) or install it: apt-get install -y chromium`);
    }
    // Only the font is missing: the tests still run; the screenshots show boxes for emoji.
    return;
  }
  process.stderr.write(`browser tests: installing ${missing.join(' ')} (apt-get)\n`);
  apt(['update']);
  apt(['install', '-y', '--no-install-recommends', ...missing]);
  if (!existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium, but ${CHROMIUM} is still missing`);
}
