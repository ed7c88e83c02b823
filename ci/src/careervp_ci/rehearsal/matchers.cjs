// The matching libraries the pinned GitHub actions bundle, at the versions their lockfiles pin (root
// package.json), so the rehearsal's stand-ins match paths exactly as the actions do. Ours, not upstream code.
// Usage: node matchers.cjs REQUEST.json ANSWER.json (the answer goes to a file: @actions/glob logs to stdout).
'use strict'
const fs = require('fs')

const handlers = {
  // upload-artifact, attest-build-provenance: files found and the search paths they were found from.
  async glob({patterns, options}) {
    const globber = await require('@actions/glob').create(patterns.join('\n'), options)
    return {files: await globber.glob(), searchPaths: globber.getSearchPaths()}
  },
  // dorny/paths-filter: one row per pattern, one boolean per path.
  async picomatch({patterns, paths, options}) {
    const picomatch = require('picomatch')
    return {
      matches: patterns.map(pattern => {
        const isMatch = picomatch(pattern, options)
        return paths.map(path => isMatch(path))
      })
    }
  },
  // actions/labeler: one row per pattern, one boolean per path.
  async minimatch({patterns, paths, options}) {
    const {Minimatch} = require('minimatch')
    return {
      matches: patterns.map(pattern => {
        const matcher = new Minimatch(pattern, options)
        return paths.map(path => matcher.match(path))
      })
    }
  }
}

async function main() {
  const [requestPath, answerPath] = process.argv.slice(2)
  const request = JSON.parse(fs.readFileSync(requestPath, 'utf8'))
  const handler = handlers[request.library]
  if (!handler) throw new Error(`unknown library ${JSON.stringify(request.library)}`)
  fs.writeFileSync(answerPath, JSON.stringify(await handler(request)))
}

main().catch(error => {
  process.stderr.write(`${error.stack || error}\n`)
  process.exit(1)
})
