// The second major versions installed under npm aliases, typed like the current ones.
declare module 'express4' {
  import express = require('express')
  export = express
}
declare module 'koa2' {
  import Koa = require('koa')
  export = Koa
}
declare module 'koa-bodyparser' {
  import type { Middleware } from 'koa'

  function bodyParser(options?: Record<string, unknown>): Middleware
  export = bodyParser
}
