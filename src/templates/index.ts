/** Public surface of the template layer. */
export {TEMPLATE_CATALOGUE, templateInfo, LABEL_TEMPLATE_NAMES, type TemplateInfo, type TemplateScope} from './catalogue.js'
export {compileUserTemplate} from './compile.js'
export {defaultTemplateGlobals, globalDefaultOptionLines, loadTemplateSet, type LoadTemplateOptions} from './load.js'
export {loadTemplateCatalogue, type TemplateCatalogueEntry} from './describe.js'
export {parsePyFormat, renderPyFormat, PyFormatError, pyRepr, pyStr, type PyValue} from './pyformat.js'
export type {CompiledTemplate, TemplateContext, TemplateGlobals, TemplateSet, TemplateSource} from './template-set.js'
