import { describe, it, expect } from 'vitest';
import { BUILTIN_TOOLS, SEARCH_CORPUS, TOOL_NAMES, evaluateExpression, formatNumber, searchCorpus } from '../../../src/providers/agent/tools.js';

const calculator = BUILTIN_TOOLS['calculator']!;
const search = BUILTIN_TOOLS['search']!;

describe('calculator', () => {
  it.each<[string, number]>([
    ['1 + 2', 3],
    ['2 + 3 * 4', 14],
    ['(2 + 3) * 4', 20],
    ['10 - 4 - 3', 3], // left-associative
    ['100 / 10 / 5', 2],
    ['2 ^ 3 ^ 2', 512], // right-associative
    ['2 ^ 10', 1024],
    ['-2 ^ 2', -4], // unary minus binds looser than ^
    ['(-2) ^ 2', 4],
    ['2 ^ -1', 0.5],
    ['-3 + 5', 2],
    ['--3', 3],
    ['+4', 4],
    ['3 * -2', -6],
    ['1.5 * 4', 6],
    ['.5 + .25', 0.75],
    ['5.', 5],
    ['12 * (3 + 4)', 84],
    ['((((7))))', 7],
    ['  8\t/ 2\n', 4],
    ['2 * (3 + 4) ^ 2 - 10 / 4', 95.5],
    ['0.1 + 0.2', 0.30000000000000004],
    ['9007199254740993', 9007199254740992], // beyond 2^53 goes through Number()
    ['123456789012345', 123456789012345],
  ])('%s = %d', (expression, expected) => {
    expect(evaluateExpression(expression)).toBe(expected);
  });

  it.each<[string, RegExp]>([
    ['', /empty expression/],
    ['   ', /empty expression/],
    ['1 +', /unexpected end/],
    ['(1 + 2', /missing '\)'/],
    ['1 + 2)', /unexpected '\)' at position 6/],
    ['2 * x', /expected a number, got 'x' at position 5/],
    ['1 / 0', /division by zero/],
    ['1 / (2 - 2)', /division by zero/],
    ['10 ^ 400', /not a finite number/],
    ['1..2', /unexpected '\.'/],
    ['alert(1)', /expected a number/],
    ['('.repeat(200) + '1' + ')'.repeat(200), /nesting deeper than 100/],
    ['-'.repeat(500) + '1', /nesting deeper than 100/],
    ['1+'.repeat(600) + '1', /longer than 1000/],
  ])('rejects %j', (expression, message) => {
    expect(() => evaluateExpression(expression)).toThrow(message);
  });

  it.each<[number, string]>([
    [84, '84'],
    [0.1 + 0.2, '0.3'],
    [-0, '0'],
    [1 / 3, '0.333333333333'],
    [2.5, '2.5'],
    [1e21, '1e+21'],
  ])('formats %d as %s', (value, text) => {
    expect(formatNumber(value)).toBe(text);
  });

  it('runs as a tool and checks its arguments', () => {
    expect(calculator.run({ expression: '6 * 7' })).toBe('42');
    expect(() => calculator.run({})).toThrow(/'expression' must be a string/);
    expect(() => calculator.run({ expression: 42 })).toThrow(/'expression' must be a string/);
    expect(calculator.spec.name).toBe('calculator');
    expect(calculator.spec.parameters).toMatchObject({ type: 'object', required: ['expression'] });
  });
});

describe('search', () => {
  it('has a corpus of about twenty documents', () => {
    expect(SEARCH_CORPUS.length).toBeGreaterThanOrEqual(20);
  });

  it.each<[string, string]>([
    ['tokio runtime scheduler', 'Tokio async runtime'],
    ['sliding window of recent messages', 'Sliding memory window'],
    ['idle sessions expire after the TTL', 'Idle session expiry'],
    ['least recently used eviction', 'Session cap and LRU eviction'],
    ['calculator arithmetic precedence', 'Calculator tool'],
    ['Arc shared reference copies', 'Shared ownership'],
    ['HDR histogram p99', 'Latency percentiles'],
    ['CONNECTION POOL', 'Connection pool'],
  ])('ranks the right document first for %j', (query, title) => {
    expect(searchCorpus(query)[0]?.title).toBe(title);
  });

  it('returns at most three hits, best first', () => {
    const hits = searchCorpus('agent memory provider tools llm', 3);
    expect(hits).toHaveLength(3);
    for (let i = 1; i < hits.length; i++) expect(hits[i]!.score).toBeLessThanOrEqual(hits[i - 1]!.score);
    expect(new Set(hits.map((h) => h.title)).size).toBe(3);
  });

  it('finds nothing for unknown or stop words only', () => {
    expect(searchCorpus('xylophone quasar')).toEqual([]);
    expect(searchCorpus('the and of')).toEqual([]);
    expect(searchCorpus('')).toEqual([]);
  });

  it('runs as a tool: numbered titles with snippets', () => {
    const out = search.run({ query: 'tokio runtime' });
    const lines = out.split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines.length).toBeLessThanOrEqual(3);
    expect(lines[0]).toMatch(/^1\. Tokio async runtime: The node runs on tokio/);
    for (const line of lines) expect(line.length).toBeLessThan(120);
    expect(search.run({ query: 'xylophone' })).toBe('no results for "xylophone"');
    expect(() => search.run({ q: 'x' })).toThrow(/'query' must be a string/);
  });
});

describe('BUILTIN_TOOLS', () => {
  it('names every tool by its spec name', () => {
    expect(TOOL_NAMES).toEqual(['calculator', 'search']);
    for (const name of TOOL_NAMES) expect(BUILTIN_TOOLS[name]!.spec.name).toBe(name);
  });
});
