package io.github.gorl.envs.dmc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.gorl.envs.mujoco.MjObjectType;
import org.junit.jupiter.api.Test;

/** Physical sanity of each task: the models behave like the bodies they describe. */
class DmControlPhysicsTest {

    @Test
    void hopper_withoutControl_fallsToTheFloor() {
        for (long seed = 0; seed < 3; seed++) {
            try (HopperStand env = new HopperStand()) {
                float[] obs = new float[15];
                env.reset(seed, obs);
                int torso = env.model.id(MjObjectType.BODY, "torso");
                assertThat(env.data.xpos(torso, 2)).isEqualTo(1.0);
                double reward = 0;
                for (int t = 0; t < 100; t++) {
                    reward += env.step(new float[4], obs).reward();
                }
                assertThat(env.data.xpos(torso, 2)).as("torso height after 2 s, seed %d", seed).isLessThan(0.5);
                assertThat(env.height()).isLessThan(0.6);
                assertThat(reward).isLessThan(50);
            }
        }
    }

    @Test
    void walker_withoutControl_torsoDrops() {
        for (long seed = 0; seed < 3; seed++) {
            try (WalkerWalk env = new WalkerWalk()) {
                float[] obs = new float[24];
                env.reset(seed, obs);
                assertThat(env.torsoHeight()).isEqualTo(1.3);
                assertThat(obs[14]).isEqualTo(1.3f);
                for (int t = 0; t < 100; t++) {
                    env.step(new float[6], obs);
                }
                assertThat(env.torsoHeight()).as("torso height after 2.5 s, seed %d", seed).isLessThan(0.6);
                assertThat(obs[14]).isEqualTo((float) env.torsoHeight());
            }
        }
    }

    @Test
    void finger_constantAction_spinsTheHinge_zeroActionLeavesItStill() {
        try (FingerSpin env = new FingerSpin()) {
            float[] obs = new float[9];
            int hinge = env.model.jointQposAddress(env.hingeJoint);
            env.reset(1, obs);
            double start = env.data.qpos(hinge);
            double fastest = 0;
            for (int t = 0; t < 200; t++) {
                env.step(new float[] {-1, -1}, obs);
                fastest = Math.max(fastest, Math.abs(env.hingeVelocity()));
            }
            assertThat(Math.abs(env.data.qpos(hinge) - start)).as("hinge rotation, rad").isGreaterThan(3);
            assertThat(fastest).isGreaterThan(10);

            env.reset(1, obs);
            start = env.data.qpos(hinge);
            for (int t = 0; t < 200; t++) {
                env.step(new float[2], obs);
            }
            assertThat(env.data.qpos(hinge)).isCloseTo(start, within(1e-9));
        }
    }

    @Test
    void finger_observations_areTheSensors() {
        try (FingerTurnHard env = new FingerTurnHard()) {
            float[] obs = new float[12];
            env.reset(4, obs);
            // the tip is 0.13 from the hinge, and so is the target; the target has the hard radius
            assertThat(Math.hypot(obs[2], obs[3])).isCloseTo(0.13, within(1e-6));
            assertThat(Math.hypot(obs[9], obs[10])).isCloseTo(0.13, within(1e-6));
            double toTarget = Math.hypot(obs[9] - obs[2], obs[10] - obs[3]) - FingerTurnHard.TARGET_RADIUS;
            assertThat(obs[11]).isCloseTo((float) toTarget, within(1e-6f));
        }
    }

    @Test
    void cheetah_velocities_agreeWithFiniteDifferencesOfPosition() {
        try (CheetahRun env = new CheetahRun()) {
            float[] obs = new float[17];
            env.reset(0, obs);
            int torso = env.model.id(MjObjectType.BODY, "torso");
            double dt = env.model.timestep();
            double slowest = Double.POSITIVE_INFINITY;
            double fastest = Double.NEGATIVE_INFINITY;
            for (int t = 0; t < 300; t++) {
                double x = env.data.qpos(0);
                double com = env.data.subtreeCom(torso, 0);
                float[] action = new float[6];
                for (int i = 0; i < 6; i++) {
                    action[i] = (float) Math.sin(0.1 * t + i);
                }
                env.step(action, obs);
                // semi-implicit Euler: the new position is the old one plus dt times the new velocity
                assertThat((env.data.qpos(0) - x) / dt).isCloseTo(env.data.qvel(0), within(1e-9));
                assertThat(obs[8]).isEqualTo((float) env.data.qvel(0));
                // the subtree velocity sensor against the motion of the subtree's center of mass
                assertThat((env.data.subtreeCom(torso, 0) - com) / dt).isCloseTo(env.speed(), within(0.1));
                slowest = Math.min(slowest, env.speed());
                fastest = Math.max(fastest, env.speed());
            }
            assertThat(fastest - slowest).as("range of speeds seen").isGreaterThan(0.5);
        }
    }

    @Test
    void cheetah_reward_isLinearInSpeedUpToTen() {
        try (CheetahRun env = new CheetahRun()) {
            float[] obs = new float[17];
            env.reset(2, obs);
            for (int t = 0; t < 50; t++) {
                double r = env.step(new float[] {1, -1, 1, -1, 1, -1}, obs).reward();
                assertThat(r).isCloseTo(Math.max(0, Math.min(1, env.speed() / 10)), within(1e-12));
            }
        }
    }

    @Test
    void fish_swimsWithAnOscillatingTail_andDriftsLittleWithout() {
        double[] displacement = new double[2];
        for (int mode = 0; mode < 2; mode++) {
            try (FishSwim env = new FishSwim()) {
                float[] obs = new float[24];
                env.reset(0, obs);
                double x = env.data.qpos(0);
                double y = env.data.qpos(1);
                double z = env.data.qpos(2);
                for (int t = 0; t < 200; t++) {
                    float s = (float) Math.sin(0.8 * t);
                    env.step(mode == 0 ? new float[5] : new float[] {s, 0, s, 0, 0}, obs);
                }
                displacement[mode] = Math.hypot(Math.hypot(env.data.qpos(0) - x, env.data.qpos(1) - y),
                        env.data.qpos(2) - z);
            }
        }
        assertThat(displacement[1]).as("displacement swimming, m").isGreaterThan(0.05);
        assertThat(displacement[1]).isGreaterThan(10 * displacement[0]);
    }

    @Test
    void fish_startsWithAUnitQuaternionAndTheTargetInItsBox() {
        try (FishSwim env = new FishSwim()) {
            float[] obs = new float[24];
            for (long seed = 0; seed < 5; seed++) {
                env.reset(seed, obs);
                double norm = 0;
                for (int k = 3; k < 7; k++) {
                    norm += env.data.qpos(k) * env.data.qpos(k);
                }
                assertThat(norm).isCloseTo(1, within(1e-12));
                int target = env.model.id(MjObjectType.GEOM, "target");
                assertThat(env.model.geomPos(target, 0)).isBetween(-0.4, 0.4);
                assertThat(env.model.geomPos(target, 2)).isBetween(0.1, 0.3);
                assertThat(env.data.geomXpos(target, 2)).isEqualTo(env.model.geomPos(target, 2));
                assertThat(obs[7]).isEqualTo((float) env.upright());
            }
        }
    }
}
