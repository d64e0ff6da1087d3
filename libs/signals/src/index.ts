// The signals library: pure logic with no I/O (see docs/architecture.md). Per chunk it keeps what the
// detectors need (`signalInputsOf`); per session it finds frustration signals over the chunks of each
// browser tab (`detectSignals`) and scores the visit (`frustrationScore`). Definitions: docs/signals.md.
export { EFFECT_HORIZON_MS, signalInputsOf, turningPoints, type ChunkSignalInputs, type ClickInput, type Effects, type ErrorInput, type PageInput, type ScrollPath } from './inputs';
export { detectSignals, type DetectOptions, type Signal } from './detect';
export { findAlerts, type PageActivity, type PageAlert } from './alerts';
export { countByKind, ERROR_WEIGHT, ERROR_WEIGHT_CAP, FRUSTRATION_SCALE, FRUSTRATION_WEIGHTS, frustrationScore } from './score';
