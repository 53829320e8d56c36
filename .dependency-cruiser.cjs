/**
 * The layers of src/, enforced by `npm run lint` (dependency-cruiser). A folder imports only from
 * its own folder and from folders in LOWER layers; folders of one layer do not import each other.
 * docs/architecture.md explains each folder. Type-only imports count too: a type that a lower
 * layer needs belongs in that layer.
 */
const LAYERS = [
  ['runtime'],
  ['config', 'image'],
  ['github', 'kubernetes', 'health'],
  ['gitops', 'targets', 'environment-checks'],
  ['gates'],
  ['settings'],
  ['steps'],
  ['stages'],
  ['entrypoints']
]

/** Inside src/kubernetes: the transport and generic API at the bottom, then the kinds, then what uses them. */
const KUBERNETES_ROOMS = [['api'], ['kinds'], ['rollout', 'rollback', 'lock']]

function layerRules(base, layers) {
  const rules = []
  layers.forEach((layer, index) => {
    const notBelow = layers.slice(index).flat()
    for (const folder of layer) {
      const forbidden = notBelow.filter((other) => other !== folder)
      if (forbidden.length === 0) continue
      rules.push({
        name: `${base}${folder}-imports-upward`,
        comment: `${base}${folder}/ may import only from its own folder and from lower layers (see .dependency-cruiser.cjs)`,
        severity: 'error',
        from: { path: `^${base}${folder}/` },
        to: { path: `^${base}(${forbidden.join('|')})/` }
      })
    }
  })
  return rules
}

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No module in src/ may import itself through others',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true }
    },
    {
      name: 'src-imports-outside',
      comment: 'src/ is what ships: it imports no test, simulator, demo, bench or script code',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|simulator|demo|bench|scripts)/' }
    },
    {
      name: 'stages-import-each-other',
      comment:
        'A stage does not import another stage: what two stages share belongs in a lower layer (targets, steps, ...). Only the root stage, which runs the others, imports them.',
      severity: 'error',
      from: { path: '^src/stages/([^/]+)/', pathNot: '^src/stages/root/' },
      to: { path: '^src/stages/', pathNot: '^src/stages/$1/' }
    },
    ...layerRules('src/', LAYERS),
    ...layerRules('src/kubernetes/', KUBERNETES_ROOMS)
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
    exclude: { path: '^(dist|node_modules)/' }
  }
}
