/**
 * Hourly prices for the cost estimate, in OpenCost's custom-pricing keys: `CPU`
 * (per vCPU-hour), `spotCPU`, `RAM` (per GiB-hour), `spotRAM`, `GPU` (per GPU-hour),
 * `spotGPU`, `storage` (per GiB-hour of ephemeral storage). Pass the prices you
 * pay; the example table is for trying the report out, not a quote.
 *
 * @see https://www.opencost.io/docs/configuration/on-prem#custom-pricing-using-the-opencost-helm-chart
 *
 * @example
 * import { CapacityReport, MlModelServing, PriceTable } from 'cdk8s-ml';
 *
 * new MlModelServing(this, 'bert', { image: 'registry.example.com/ml/bert-server:1.4.2' });
 * // The data of OpenCost's custom-pricing ConfigMap: hourly prices you pay, in EUR.
 * const prices = PriceTable.fromOpenCost({
 *   CPU: '0.029',
 *   RAM: '0.0039',
 *   GPU: '0.92',
 *   spotGPU: '0.33',
 * }, 'EUR', 'negotiated 2026 rates');
 * const csv = CapacityReport.fromChart(this, { prices }).toCsv();
 */
export class PriceTable {
  /**
   * Illustrative list prices in USD (the order of magnitude of a large cloud's
   * us-central region in 2024). Reports made with them say so in every output.
   */
  public static example(): PriceTable {
    return new PriceTable({
      CPU: 0.0316, spotCPU: 0.0067, RAM: 0.0042, spotRAM: 0.0009, GPU: 0.95, spotGPU: 0.31, storage: 0.000055,
    }, 'USD', 'EXAMPLE PRICES (illustrative, not your provider\'s; pass your own price table)');
  }

  /**
   * A table in OpenCost's custom-pricing format, e.g. the `data` of its
   * `custom-pricing` ConfigMap: values are numbers or numeric strings. `CPU`, `RAM`
   * and `GPU` are required; spot prices default to the on-demand ones, storage to 0.
   * Other keys (zoneNetworkEgress, description...) are ignored.
   */
  public static fromOpenCost(config: { [key: string]: any }, currency = 'USD', label = 'user-supplied prices'): PriceTable {
    const out: { [key: string]: number } = {};
    for (const key of ['CPU', 'spotCPU', 'RAM', 'spotRAM', 'GPU', 'spotGPU', 'storage']) {
      const raw = config[key];
      if (raw === undefined) continue;
      const value = typeof raw === 'number' ? raw : Number(String(raw).trim());
      if (!Number.isFinite(value) || value < 0 || String(raw).trim() === '') {
        throw new Error(`PriceTable.fromOpenCost: ${key} (${JSON.stringify(raw)}) must be a non-negative number of ${currency} per hour`);
      }
      out[key] = value;
    }
    for (const key of ['CPU', 'RAM', 'GPU']) {
      if (out[key] === undefined) throw new Error(`PriceTable.fromOpenCost: ${key} is required (${currency} per hour)`);
    }
    return new PriceTable(out, currency, label);
  }

  /** What the prices are, shown in every report (e.g. that they are examples). */
  public readonly label: string;
  /** The currency of the prices. */
  public readonly currency: string;

  private constructor(private readonly prices: { [key: string]: number }, currency: string, label: string) {
    this.currency = currency;
    this.label = label;
  }

  /** The hourly price of a key, with spot keys falling back to on-demand. */
  public price(key: string): number {
    if (this.prices[key] !== undefined) return this.prices[key];
    const onDemand = key.startsWith('spot') ? key.slice(4) : undefined;
    if (onDemand && this.prices[onDemand] !== undefined) return this.prices[onDemand];
    return 0;
  }

  /** The table as OpenCost keys. */
  public toJson(): { [key: string]: number } {
    return { ...this.prices };
  }
}
