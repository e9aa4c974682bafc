package io.github.gorl.envs.dmc;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.gorl.api.Env;
import io.github.gorl.envs.mujoco.MjData;
import io.github.gorl.envs.mujoco.MjModel;
import io.github.gorl.envs.mujoco.MjWarning;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The bundled models set {@code <size njmax nconmax nstack>} far below MuJoCo 2.2.2's defaults (3 MB per mjData
 * at 500 constraints). These tests hold the two promises that makes: the physics is bit for bit the physics of
 * the default sizes, and no task comes near its buffers under the roughest actions.
 */
class ModelSizesTest {

    private static final Pattern SIZE = Pattern.compile("<size [^>]*/>");

    @ParameterizedTest
    @ValueSource(strings = {"CheetahRun", "FingerSpin", "FishSwim", "HopperStand", "WalkerWalk", "HumanoidStand"})
    void sizedModel_stepsExactlyLikeMuJoCosDefaultSizes(String task) {
        String sized = DmControl.modelXml(task);
        assertThat(SIZE.matcher(sized).find()).as("bundled model sets <size>").isTrue();
        String defaults = SIZE.matcher(sized).replaceFirst("");
        try (MjModel a = MjModel.fromXml(sized); MjModel b = MjModel.fromXml(defaults);
                MjData da = a.makeData(); MjData db = b.makeData()) {
            assertThat(a.maxConstraints()).isLessThan(b.maxConstraints());
            Random random = new Random(11);
            for (int j = 0; j < a.nq(); j++) {
                double q = da.qpos(j) + 0.3 * random.nextGaussian();
                da.setQpos(j, q);
                db.setQpos(j, q);
            }
            for (int t = 0; t < 3000; t++) {
                if (t % 20 == 0) {
                    for (int i = 0; i < a.nu(); i++) {
                        double u = random.nextBoolean() ? 1 : -1;
                        da.setCtrl(i, u);
                        db.setCtrl(i, u);
                    }
                }
                da.step();
                db.step();
            }
            for (int j = 0; j < a.nq(); j++) {
                assertThat(da.qpos(j)).as("qpos[%d]", j).isEqualTo(db.qpos(j));
            }
            for (int j = 0; j < a.nv(); j++) {
                assertThat(da.qvel(j)).as("qvel[%d]", j).isEqualTo(db.qvel(j));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"CheetahRun", "FingerTurnHard", "FishSwim", "HopperStand", "WalkerWalk", "HumanoidRun"})
    void roughestActions_stayFarInsideTheBuffers(String task) throws Exception {
        try (Env env = DmControl.make(task)) {
            MjData data = ((DmControlEnv) env).data;
            MjModel model = ((DmControlEnv) env).model;
            float[] obs = new float[env.spec().observationDim()];
            float[] action = new float[env.spec().actionDim()];
            Random random = new Random(5);
            int peakConstraints = 0;
            int peakContacts = 0;
            for (int episode = 0; episode < 4; episode++) {
                env.reset(episode, obs);
                for (int t = 0; t < 1000; t++) {
                    if (t % 10 == 0) {
                        for (int i = 0; i < action.length; i++) {
                            action[i] = random.nextBoolean() ? 1f : -1f;
                        }
                    }
                    if (env.step(action, obs).done()) {
                        break;
                    }
                }
                peakConstraints = Math.max(peakConstraints, data.peakConstraints());
                peakContacts = Math.max(peakContacts, data.peakContacts());
                assertThat(data.warningCount(MjWarning.CONSTRAINT_FULL)).isZero();
                assertThat(data.warningCount(MjWarning.CONTACT_FULL)).isZero();
            }
            // measured peaks are at most a quarter of the buffers (docs/environments.md)
            assertThat(4 * peakConstraints).isLessThanOrEqualTo(model.maxConstraints());
            assertThat(4 * peakContacts).isLessThanOrEqualTo(model.maxContacts());
        }
    }
}
