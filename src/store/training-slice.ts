import type { StateCreator } from 'zustand';
import type { AppState } from './index';

/** Training is not implemented yet (the training issue); the UI shows no training control. */
export interface TrainingData {
  trainingStatus: 'unavailable';
}
export type TrainingSlice = TrainingData;

export const initialTraining = (): TrainingData => ({ trainingStatus: 'unavailable' });

export const createTrainingSlice: StateCreator<AppState, [], [], TrainingSlice> = () => ({
  ...initialTraining(),
});
