/**
 * linkcap's hardware catalog: chips, node/cluster presets and export-control rules as data
 * (packages/core/catalog/*.json), user files layered on top, and resolution into the model's ClusterParams.
 * Schema and how to extend it: docs/catalog.md.
 */
export type {
  ArchitectureDefaults,
  Catalog,
  CatalogDefaults,
  ChipScaleUp,
  ChipSpec,
  ChipTopology,
  ClusterScaleOutSpec,
  ClusterScaleUpSpec,
  ClusterSpec,
  ClusterTopology,
  ComparisonOp,
  Criterion,
  FabricDefaults,
  Figure,
  KnownFigure,
  RuleOutcome,
  RuleSpec,
  SourceSpec,
  TrainingArchitectureDefaults,
} from './schema.js';
export { ASSUMPTION, USER, FIT, CHIP_TOPOLOGIES, CLUSTER_TOPOLOGIES, ARCHITECTURES, COMPARISON_OPS } from './schema.js';
export { CatalogError, validateCatalogDocument, type CatalogIssue, type CatalogDocument, type ValidateOptions } from './validate-catalog.js';
export { applyDocument, checkCatalog, findChip, findClusterSpec, findRule } from './merge.js';
export { builtinCatalog, builtinCatalogCheckedAtBuild, validateBuiltinCatalog, BUILTIN_DOCUMENTS, BUILTIN_ORIGIN } from './builtin.js';
export {
  loadCatalog,
  catalogFiles,
  readCatalogFile,
  parseCatalogText,
  writeCatalogEntries,
  catalogTextWithEntries,
  DEFAULT_CATALOG_FILES,
  CATALOG_ENV,
  type LoadCatalogOptions,
  type CatalogEntries,
  type WriteCatalogOptions,
} from './load-file.js';
export { resolveClusterSpec, resolveClusterId, listClusters, type ResolvedCluster, type ParamProvenance } from './resolve-cluster.js';
export { resolveCluster, resolveClusterFile, isClusterFileRef } from './cluster-ref.js';
export { deriveChip, DERIVE_LIMITS, type DeriveOptions, type DerivedVariant } from './derive.js';
