/**
 * The six DeepMind Control Suite tasks of the GoRL paper (CheetahRun, FingerSpin, FingerTurnHard,
 * FishSwim, HopperStand, WalkerWalk) and the humanoid tasks of its reference code's newer version
 * (HumanoidStand, HumanoidWalk, HumanoidRun) on MuJoCo, written from dm_control's published model files and
 * task definitions, and dm_control's reward {@link io.github.gorl.envs.dmc.Tolerance}. Start at
 * {@link io.github.gorl.envs.dmc.DmControl}.
 */
package io.github.gorl.envs.dmc;
