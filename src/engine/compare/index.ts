/** Measurements of the RNN / LSTM / GRU comparison (pure; see each file). */
export * from './params';
export * from './gradient-flow';
export * from './config';
export * from './claims';
export * from './job';
