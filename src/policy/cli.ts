// `cdk8s-ml` command line: check, report and diagram over YAML files or folders
// (cdk8s output, Helm output, anything kubectl applies). Exit 0 when the check
// passes, 1 when it fails or the input cannot be read.
import * as fs from 'fs';
import { CapacityReport } from './capacity-report';
import { loadManifests } from './manifest-files';
import { PolicyNodePool } from './policy-context';
import { PolicyEngine } from './policy-engine';
import { PolicyPack } from './policy-pack';
import { PolicySeverity } from './policy-rule';
import { PriceTable } from './price-table';
import { BUILT_IN_RULES } from './rules';
import { TopologyDiagram } from './topology-diagram';

/** Where the CLI writes; injectable for tests. */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const USAGE = `usage:
  cdk8s-ml check <files|dirs>... [--json] [--packs security,reliability,ml,cost] [--fail-on error|warning|info] [--node-pools pools.json]
  cdk8s-ml report <files|dirs>... [--format markdown|json|csv] [--prices prices.json] [--node-pools pools.json]
  cdk8s-ml diagram <files|dirs>... [--format mermaid|dot]
  cdk8s-ml rules [--json]

  check    judge the manifests with the policy packs (default: all four); exit 1 on findings at --fail-on (default error)
  report   capacity and cost per workload and namespace at minimum and maximum scale
  diagram  topology: Services, autoscalers, PDBs, routes, monitors, network policies, node pools
  rules    list the built-in rules`;

interface Parsed {
  readonly command?: string;
  readonly inputs: string[];
  readonly flags: { [name: string]: string | true };
}

function parse(argv: string[]): Parsed {
  const inputs: string[] = [];
  const flags: { [name: string]: string | true } = {};
  const valued = new Set(['packs', 'fail-on', 'node-pools', 'format', 'prices']);
  let command: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const [name, inline] = a.slice(2).split('=', 2);
      if (valued.has(name)) {
        const value = inline ?? argv[++i];
        if (value === undefined) throw new Error(`--${name} needs a value`);
        flags[name] = value;
      } else if (name === 'json' || name === 'help') {
        flags[name] = true;
      } else {
        throw new Error(`unknown option --${name}`);
      }
    } else if (command === undefined) {
      command = a;
    } else {
      inputs.push(a);
    }
  }
  return { command, inputs, flags };
}

function readJson(file: string, what: string): any {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf-8'));
  } catch (e) {
    throw new Error(`cannot read ${what} from ${file}: ${(e as Error).message}`);
  }
}

function severity(value: string | true | undefined): PolicySeverity {
  if (value === undefined) return PolicySeverity.ERROR;
  const s = Object.values(PolicySeverity).find((v) => v === value);
  if (!s) throw new Error(`--fail-on must be error, warning or info (is ${value})`);
  return s;
}

/** Runs the CLI; returns the exit code. */
export function main(argv: string[], io: CliIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) }): number {
  let parsed: Parsed;
  try {
    parsed = parse(argv);
  } catch (e) {
    io.err(`cdk8s-ml: ${(e as Error).message}\n${USAGE}\n`);
    return 1;
  }
  const { command, inputs, flags } = parsed;
  if (!command || flags.help || command === 'help') {
    io.out(`${USAGE}\n`);
    return command || flags.help ? 0 : 1;
  }
  try {
    if (command === 'rules') {
      const rows = BUILT_IN_RULES.map((r) => ({
        id: r.id, name: r.name, severity: r.severity, suppressible: r.suppressible, explanation: r.explanation, fix: r.fix,
      }));
      io.out(flags.json ? `${JSON.stringify(rows, null, 2)}\n` : `${rows.map((r) => `${r.id}\t${r.severity}\t${r.name}${r.suppressible ? '' : ' (unsuppressible)'}`).join('\n')}\n`);
      return 0;
    }
    if (!['check', 'report', 'diagram'].includes(command)) throw new Error(`unknown command '${command}'`);
    if (inputs.length === 0) throw new Error(`${command} needs files or folders of manifests`);
    for (const input of inputs) if (!fs.existsSync(input)) throw new Error(`${input} does not exist`);
    const loaded = loadManifests(inputs);
    for (const e of loaded.errors) io.err(`cdk8s-ml: ${e}\n`);
    for (const s of loaded.skipped) io.err(`cdk8s-ml: ${s}\n`);
    if (loaded.targets.length === 0) {
      io.err(`cdk8s-ml: no Kubernetes objects found in ${inputs.join(', ')}\n`);
      return 1;
    }
    const nodePools: PolicyNodePool[] | undefined = typeof flags['node-pools'] === 'string' ? readJson(flags['node-pools'], 'node pools') : undefined;
    if (command === 'check') {
      const packs = typeof flags.packs === 'string' ? flags.packs.split(',').map((n) => PolicyPack.named(n.trim())) : undefined;
      const report = PolicyEngine._check(loaded.targets, { packs, nodePools, failOn: severity(flags['fail-on']) });
      io.out(flags.json ? `${JSON.stringify({ ...report.toJson(), files: loaded.files, inputErrors: loaded.errors }, null, 2)}\n` : `${report.toText()}\n`);
      return report.passed && loaded.errors.length === 0 ? 0 : 1;
    }
    return runExtra(command, loaded.targets.map((t) => t.manifest), flags, nodePools, io, loaded.errors.length === 0 ? 0 : 1);
  } catch (e) {
    io.err(`cdk8s-ml: ${(e as Error).message}\n`);
    return 1;
  }
}

function runExtra(command: string, manifests: any[], flags: Parsed['flags'], nodePools: PolicyNodePool[] | undefined, io: CliIo, code: number): number {
  const format = typeof flags.format === 'string' ? flags.format : undefined;
  if (command === 'report') {
    const prices = typeof flags.prices === 'string' ? PriceTable.fromOpenCost(readJson(flags.prices, 'prices'), 'USD', `prices from ${flags.prices}`) : undefined;
    const report = CapacityReport.fromManifests(manifests, { prices, nodePools });
    switch (format ?? (flags.json ? 'json' : 'markdown')) {
      case 'markdown': case 'md': io.out(report.toMarkdown()); break;
      case 'json': io.out(`${JSON.stringify(report.toJson(), null, 2)}\n`); break;
      case 'csv': io.out(report.toCsv()); break;
      default: throw new Error(`report --format must be markdown, json or csv (is ${format})`);
    }
    return code;
  }
  const diagram = TopologyDiagram.fromManifests(manifests, { nodePools });
  switch (format ?? 'mermaid') {
    case 'mermaid': io.out(diagram.toMermaid()); break;
    case 'dot': io.out(diagram.toDot()); break;
    default: throw new Error(`diagram --format must be mermaid or dot (is ${format})`);
  }
  return code;
}
