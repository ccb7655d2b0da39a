/**
 * The Marathon simulator's public surface, for tests, benchmarks and `mlb marathon-sim`
 * (docs/simulator.md).
 */
export {startSimulator, Simulator, type SimulatorOptions} from './simulator.js'
export type {CallRecord} from './call-log.js'
export type {SimEvent} from './event-bus.js'
export type {SimTask, TaskState} from './state.js'
export type {TaskControl} from './runner.js'
export type {AuthOptions} from './auth.js'
