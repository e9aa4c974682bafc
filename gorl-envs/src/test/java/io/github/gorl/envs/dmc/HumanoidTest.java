package io.github.gorl.envs.dmc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.gorl.envs.mujoco.MjJointType;
import io.github.gorl.envs.mujoco.MjObjectType;
import org.junit.jupiter.api.Test;

/**
 * The humanoid tasks against dm_control's definitions: each reward term on states built by hand (the
 * model's rest pose: torso at height 1.5 with identity orientation, every joint at 0), the observation's
 * layout, and the initial-state draw.
 */
class HumanoidTest {

    private static final double EPS = 1e-9;

    /** The rest pose ({@code qpos0}, zero velocity and control), positions computed. */
    private static void restPose(Humanoid env) {
        env.reset(0, new float[Humanoid.OBSERVATION_DIM]);
        env.data.reset();
        env.data.forward();
    }

    private static Humanoid stand() {
        return new Humanoid(Humanoid.STAND, 0);
    }

    private static Humanoid walk() {
        return new Humanoid(Humanoid.WALK, Humanoid.WALK_SPEED);
    }

    private static Humanoid run() {
        return new Humanoid(Humanoid.RUN, Humanoid.RUN_SPEED);
    }

    @Test
    void restPose_standsStill_fullStandReward_walkAndRunGetTheFloorOfOneSixth() {
        try (Humanoid s = stand(); Humanoid w = walk(); Humanoid r = run()) {
            for (Humanoid env : new Humanoid[] {s, w, r}) {
                restPose(env);
                // head 0.19 above the torso at 1.5
                assertThat(env.headHeight()).isCloseTo(1.69, within(EPS));
                assertThat(env.torsoUpright()).isCloseTo(1.0, within(EPS));
                assertThat(env.standReward()).isEqualTo(1.0);
                assertThat(env.smallControlReward()).isEqualTo(1.0);
            }
            assertThat(s.reward()).isEqualTo(1.0);
            assertThat(w.reward()).isCloseTo(1.0 / 6, within(EPS));
            assertThat(r.reward()).isCloseTo(1.0 / 6, within(EPS));
        }
    }

    @Test
    void standing_isGaussianInHeadHeightBelow1_4_withMargin0_35() {
        try (Humanoid env = stand()) {
            restPose(env);
            // head at 1.225: half a margin below 1.4, gaussian with value 0.1 at the margin: 0.1^(0.5^2)
            env.data.setQpos(2, 1.225 - 0.19);
            env.data.forward();
            assertThat(env.headHeight()).isCloseTo(1.225, within(EPS));
            assertThat(env.standReward()).isCloseTo(Math.pow(0.1, 0.25), within(EPS));
            assertThat(env.reward()).isCloseTo(Math.pow(0.1, 0.25), within(EPS));
            // a full margin below: 0.1
            env.data.setQpos(2, 1.05 - 0.19);
            env.data.forward();
            assertThat(env.standReward()).isCloseTo(0.1, within(EPS));
            // two margins below: 0.1^4
            env.data.setQpos(2, 0.7 - 0.19);
            env.data.forward();
            assertThat(env.standReward()).isCloseTo(1e-4, within(EPS));
        }
    }

    @Test
    void upright_isLinearInTheTorsosZz_oneFrom0_9_zeroUpsideDown() {
        try (Humanoid env = stand()) {
            restPose(env);
            // 60 degrees about x: zz = cos 60 = 0.5, upright = 1 - (0.9 - 0.5) / 1.9; the head stays above 1.4
            setRootQuaternion(env, Math.cos(Math.PI / 6), Math.sin(Math.PI / 6), 0, 0);
            assertThat(env.torsoUpright()).isCloseTo(0.5, within(EPS));
            assertThat(env.headHeight()).isCloseTo(1.5 + 0.19 * 0.5, within(EPS));
            assertThat(env.standReward()).isCloseTo(1.5 / 1.9, within(EPS));
            // upside down: zz = -1, the margin's full 1.9 below 0.9
            setRootQuaternion(env, 0, 1, 0, 0);
            assertThat(env.torsoUpright()).isCloseTo(-1, within(EPS));
            assertThat(env.reward()).isEqualTo(0.0);
            // about 25.8 degrees: zz = 0.9, inside the bounds
            double half = Math.acos(0.9) / 2;
            setRootQuaternion(env, Math.cos(half), 0, Math.sin(half), 0);
            assertThat(env.standReward()).isCloseTo(1.0, within(EPS));
        }
    }

    @Test
    void smallControl_isQuadraticPerActuator_averaged_thenMappedTo0_8To1() {
        try (Humanoid env = stand()) {
            restPose(env);
            for (int i = 0; i < 21; i++) {
                env.data.setCtrl(i, 0.5);
            }
            // each 1 - 0.5^2 = 0.75; (4 + 0.75) / 5
            assertThat(env.smallControlReward()).isCloseTo(0.95, within(EPS));
            assertThat(env.reward()).isCloseTo(0.95, within(EPS));
            for (int i = 0; i < 21; i++) {
                env.data.setCtrl(i, i < 7 ? (i % 2 == 0 ? 1 : -1) : 0);
            }
            // 7 of 21 at full control contribute 0, the rest 1: (4 + 14/21) / 5
            assertThat(env.smallControlReward()).isCloseTo((4 + 14.0 / 21) / 5, within(EPS));
            for (int i = 0; i < 21; i++) {
                env.data.setCtrl(i, 1);
            }
            assertThat(env.smallControlReward()).isCloseTo(0.8, within(EPS));
        }
    }

    @Test
    void move_standPenalizesHorizontalSpeed_walkAndRunRewardItLinearlyUpToTheirTarget() {
        try (Humanoid s = stand(); Humanoid w = walk(); Humanoid r = run()) {
            for (Humanoid env : new Humanoid[] {s, w, r}) {
                restPose(env);
                // the whole body translating at (3, 4, 0) m/s: horizontal speed 5
                env.data.setQvel(0, 3);
                env.data.setQvel(1, 4);
                env.data.forward();
                assertThat(env.comVelocity(0)).isCloseTo(3, within(EPS));
                assertThat(env.comVelocity(1)).isCloseTo(4, within(EPS));
                assertThat(env.comVelocity(2)).isCloseTo(0, within(EPS));
            }
            // gaussian with value 0.1 at margin 2: 0.1^((3/2)^2) and 0.1^((4/2)^2), averaged
            double dontMove = (Math.pow(0.1, 2.25) + Math.pow(0.1, 4)) / 2;
            assertThat(s.moveReward()).isCloseTo(dontMove, within(EPS));
            assertThat(s.reward()).isCloseTo(dontMove, within(EPS));
            // walking: 5 >= 1 m/s
            assertThat(w.moveReward()).isCloseTo(1.0, within(EPS));
            assertThat(w.reward()).isCloseTo(1.0, within(EPS));
            // running: half the margin of 10 below 10 m/s, linear: 0.5, then (5 * 0.5 + 1) / 6
            assertThat(r.moveReward()).isCloseTo(7.0 / 12, within(EPS));
            assertThat(r.reward()).isCloseTo(7.0 / 12, within(EPS));

            // vertical speed does not count
            for (Humanoid env : new Humanoid[] {s, w}) {
                restPose(env);
                env.data.setQvel(2, -7);
                env.data.forward();
            }
            assertThat(s.moveReward()).isCloseTo(1.0, within(EPS));
            assertThat(w.moveReward()).isCloseTo(1.0 / 6, within(EPS));
        }
    }

    @Test
    void observation_layout_andExtremitiesAreEgocentric() {
        try (Humanoid env = walk()) {
            restPose(env);
            env.data.setQvel(0, 3);
            env.data.setQvel(1, 4);
            env.data.forward();
            float[] obs = new float[67];
            env.observe(obs);
            for (int i = 0; i < 21; i++) {
                assertThat(obs[i]).as("joint angle %d", i).isEqualTo(0f);
            }
            assertThat(obs[21]).isCloseTo(1.69f, within(1e-6f));
            // the hands hang off the torso: shoulder + upper arm + lower arm
            assertThat(slice(obs, 22, 3)).containsExactly(new float[] {0.36f, 0.17f, 0.06f}, within(1e-6f));
            assertThat(slice(obs, 28, 3)).containsExactly(new float[] {0.36f, -0.17f, 0.06f}, within(1e-6f));
            // the feet are below the torso, about 1.3 m down
            assertThat(obs[27]).isBetween(-1.4f, -1.2f);
            assertThat(obs[33]).isBetween(-1.4f, -1.2f);
            assertThat(slice(obs, 34, 3)).containsExactly(new float[] {0, 0, 1}, within(1e-6f));
            assertThat(slice(obs, 37, 3)).containsExactly(new float[] {3, 4, 0}, within(1e-6f));
            assertThat(obs[40]).isEqualTo(3f);
            assertThat(obs[41]).isEqualTo(4f);

            // turned 90 degrees about the vertical and moved: the egocentric part is unchanged
            float[] turned = new float[67];
            env.data.setQpos(0, 2);
            env.data.setQpos(1, -1);
            setRootQuaternion(env, Math.cos(Math.PI / 4), 0, 0, Math.sin(Math.PI / 4));
            env.observe(turned);
            assertThat(slice(turned, 0, 37)).containsExactly(slice(obs, 0, 37), within(1e-6f));
            int leftHand = env.model.id(MjObjectType.BODY, "left_hand");
            assertThat(env.data.xpos(leftHand, 0)).isCloseTo(2 - 0.17, within(1e-9));
            assertThat(env.data.xpos(leftHand, 1)).isCloseTo(-1 + 0.36, within(1e-9));

            // joint velocities follow the root's 6 in qvel's order
            env.data.setQvel(10, 0.25);
            env.data.forward();
            env.observe(obs);
            assertThat(obs[50]).isEqualTo(0.25f);
        }
    }

    @Test
    void reset_drawsContactFreeStates_jointsInRange_rootAtRestHeightWithPositiveQuaternion() {
        try (Humanoid env = stand()) {
            float[] obs = new float[67];
            for (long seed = 0; seed < 20; seed++) {
                env.reset(seed, obs);
                assertThat(env.data.ncon()).as("contacts at the start, seed %d", seed).isZero();
                assertThat(env.data.qpos(0)).isEqualTo(0.0);
                assertThat(env.data.qpos(1)).isEqualTo(0.0);
                assertThat(env.data.qpos(2)).isEqualTo(1.5);
                double norm = 0;
                for (int k = 3; k < 7; k++) {
                    assertThat(env.data.qpos(k)).isGreaterThanOrEqualTo(0.0);
                    norm += env.data.qpos(k) * env.data.qpos(k);
                }
                assertThat(norm).isCloseTo(1, within(1e-12));
                for (int j = 1; j < env.model.njnt(); j++) {
                    assertThat(env.model.jointType(j)).isEqualTo(MjJointType.HINGE);
                    double q = env.data.qpos(env.model.jointQposAddress(j));
                    assertThat(q).isBetween(env.model.jointRange(j, 0), env.model.jointRange(j, 1));
                    assertThat(obs[j - 1]).isEqualTo((float) q);
                }
                for (int i = 0; i < 27; i++) {
                    assertThat(env.data.qvel(i)).isEqualTo(0.0);
                }
            }
        }
    }

    @Test
    void model_hasDmControlsJointsActuatorsAndTiming() {
        try (Humanoid env = run()) {
            assertThat(env.model.njnt()).isEqualTo(22);
            assertThat(env.model.nq()).isEqualTo(28);
            assertThat(env.model.nv()).isEqualTo(27);
            assertThat(env.model.nu()).isEqualTo(21);
            assertThat(env.model.timestep()).isEqualTo(0.005);
            assertThat(env.substeps()).isEqualTo(5);
            int knee = env.model.id(MjObjectType.JOINT, "right_knee");
            assertThat(env.model.jointRange(knee, 0)).isCloseTo(Math.toRadians(-160), within(1e-12));
            assertThat(env.model.jointRange(knee, 1)).isCloseTo(Math.toRadians(2), within(1e-12));
            int abdomenY = env.model.id(MjObjectType.JOINT, "abdomen_y");
            assertThat(env.model.dofDamping(env.model.jointDofAddress(abdomenY))).isEqualTo(5.0);
        }
    }

    @Test
    void withoutControl_theHumanoidFalls() {
        for (long seed = 0; seed < 3; seed++) {
            try (Humanoid env = stand()) {
                float[] obs = new float[67];
                env.reset(seed, obs);
                double reward = 0;
                for (int t = 0; t < 100; t++) {
                    reward = env.step(new float[21], obs).reward();
                }
                assertThat(env.headHeight()).as("head height after 2.5 s, seed %d", seed).isLessThan(0.6);
                assertThat(obs[21]).isEqualTo((float) env.headHeight());
                // the head more than 2 margins below 1.4: standing < 0.1^4
                assertThat(reward).isLessThan(1e-4);
            }
        }
    }

    private static void setRootQuaternion(Humanoid env, double w, double x, double y, double z) {
        env.data.setQpos(3, w);
        env.data.setQpos(4, x);
        env.data.setQpos(5, y);
        env.data.setQpos(6, z);
        env.data.forward();
    }

    private static float[] slice(float[] values, int from, int length) {
        float[] out = new float[length];
        System.arraycopy(values, from, out, 0, length);
        return out;
    }
}
