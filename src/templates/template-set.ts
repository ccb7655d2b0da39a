/**
 * PLACEHOLDER owned by the core team: the loaded, compiled set of templates (defaults, file and
 * environment overrides) that generation uses. Replaced by the real definition.
 */
export interface TemplateSet {
  readonly kind: 'TemplateSet'
}
