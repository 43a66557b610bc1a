// The equity core in one import: pure functions over points; nothing here reads the clock, disk or network.
export type { EquityPoint, SparkPoint, FlowMarker } from './types.js';
export { isSampleDue } from './sampling.js';
export { appendPoint, trimSeries, mergeSeries, last24h } from './series.js';
export { downsampleExtremes } from './downsample.js';
export { toSparkline, SPARK_VALUE_DECIMALS } from './sparkline.js';
export { flowMarkers } from './flow-markers.js';
export { encodeSeries, decodeSeries } from './codec.js';
export type { StoredSeriesV1, StoredColumn } from './codec.js';
export { toEquityPoint, POINT_FIELDS } from './point.js';
export type { PointField } from './point.js';
