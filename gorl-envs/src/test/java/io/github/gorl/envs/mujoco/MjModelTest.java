package io.github.gorl.envs.mujoco;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MjModelTest {

    private static final String BALL = """
            <mujoco>
              <option timestep="0.002"/>
              <worldbody>
                <geom name="floor" type="plane" size="1 1 .1"/>
                <body name="ball" pos="0 0 1">
                  <freejoint name="free"/>
                  <geom name="ball" type="sphere" size=".1" mass="1"/>
                </body>
                <body name="arm" pos="0 1 1">
                  <joint name="hinge" type="hinge" axis="0 1 0" limited="true" range="-90 45"/>
                  <geom type="capsule" fromto="0 0 0 .3 0 0" size=".02"/>
                </body>
              </worldbody>
              <actuator>
                <motor name="m" joint="hinge" ctrllimited="true" ctrlrange="-1 1" gear="2"/>
              </actuator>
              <sensor>
                <framepos name="ballpos" objtype="body" objname="ball"/>
              </sensor>
            </mujoco>
            """;

    @Test
    void fromXml_readsSizesAndNames() {
        try (MjModel model = MjModel.fromXml(BALL)) {
            assertThat(model.nq()).isEqualTo(8);
            assertThat(model.nv()).isEqualTo(7);
            assertThat(model.nu()).isEqualTo(1);
            assertThat(model.nbody()).isEqualTo(3);
            assertThat(model.nsensordata()).isEqualTo(3);
            assertThat(model.timestep()).isEqualTo(0.002);
            int hinge = model.id(MjObjectType.JOINT, "hinge");
            assertThat(model.jointType(hinge)).isEqualTo(MjJointType.HINGE);
            assertThat(model.jointLimited(hinge)).isTrue();
            assertThat(model.jointRange(hinge, 0)).isCloseTo(-Math.PI / 2, within(1e-12));
            assertThat(model.jointRange(hinge, 1)).isCloseTo(Math.PI / 4, within(1e-12));
            assertThat(model.jointQposAddress(hinge)).isEqualTo(7);
            assertThat(model.jointType(model.id(MjObjectType.JOINT, "free"))).isEqualTo(MjJointType.FREE);
            assertThat(model.actuatorCtrlRange(0, 1)).isEqualTo(1.0);
            assertThat(MjModel.mujocoVersion()).isEqualTo("2.2.2");
        }
    }

    @Test
    void id_unknownName_throwsNamingIt() {
        try (MjModel model = MjModel.fromXml(BALL)) {
            assertThatThrownBy(() -> model.id(MjObjectType.BODY, "nope"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("body named 'nope'");
        }
    }

    @Test
    void fromXml_malformed_throwsWithMuJoCosMessage() {
        assertThatThrownBy(() -> MjModel.fromXml("<mujoco><worldbody><body><geom type=\"sphere\"/></worldbody>"))
                .isInstanceOf(MuJoCoException.class)
                .hasMessageContaining("XML parse error");
        assertThatThrownBy(() -> MjModel.fromXml("<mujoco><worldbody><geom type=\"blob\"/></worldbody></mujoco>"))
                .isInstanceOf(MuJoCoException.class)
                .hasMessageContaining("blob");
    }

    @Test
    void fromFile_missingFile_throwsWithMuJoCosMessage(@TempDir Path dir) {
        Path missing = dir.resolve("missing.xml");
        assertThatThrownBy(() -> MjModel.fromFile(missing))
                .isInstanceOf(MuJoCoException.class)
                .hasMessageContaining(missing.toString());
    }

    @Test
    void fromFile_and_fromResource_load(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ball.xml");
        Files.writeString(file, BALL);
        try (MjModel model = MjModel.fromFile(file)) {
            assertThat(model.nq()).isEqualTo(8);
        }
        try (MjModel model = MjModel.fromResource("/io/github/gorl/envs/dmc/cheetah.xml")) {
            assertThat(model.nu()).isEqualTo(6);
        }
        assertThatThrownBy(() -> MjModel.fromResource("nope/missing.xml"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nope/missing.xml");
    }

    @Test
    void close_twiceIsHarmless_andUseAfterCloseThrows() {
        MjModel model = MjModel.fromXml(BALL);
        MjData data = model.makeData();
        data.close();
        data.close();
        assertThatThrownBy(() -> data.qpos(0)).isInstanceOf(IllegalStateException.class);
        MjData other = model.makeData();
        model.close();
        model.close();
        assertThat(model.isClosed()).isTrue();
        assertThatThrownBy(() -> model.id(MjObjectType.BODY, "ball")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(other::step).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("MjModel is closed");
        other.close();
    }

    @Test
    void step_ballFallsUnderGravity_andSensorsTrackState() {
        try (MjModel model = MjModel.fromXml(BALL); MjData data = model.makeData()) {
            data.forward();
            int ball = model.id(MjObjectType.BODY, "ball");
            assertThat(data.xpos(ball, 2)).isEqualTo(1.0);
            for (int i = 0; i < 100; i++) {
                data.step();
            }
            assertThat(data.time()).isCloseTo(0.2, within(1e-9));
            data.forward();
            double z = data.qpos(2);
            assertThat(z).isCloseTo(1 - 0.5 * 9.81 * 0.2 * 0.2, within(0.01));
            assertThat(data.sensordata(2)).isEqualTo(z);
            assertThat(data.xpos(ball, 2)).isEqualTo(z);
            assertThat(data.qvel(2)).isCloseTo(-9.81 * 0.2, within(0.01));
        }
    }

    @Test
    void stepSubsteps_matchesPlainSteps_andLeavesPositionsCurrent() {
        try (MjModel model = MjModel.fromXml(BALL); MjData a = model.makeData(); MjData b = model.makeData()) {
            a.setCtrl(0, 0.7);
            b.setCtrl(0, 0.7);
            a.forward();
            for (int i = 0; i < 10; i++) {
                a.step(5);
            }
            for (int i = 0; i < 50; i++) {
                b.step();
            }
            for (int i = 0; i < model.nq(); i++) {
                assertThat(a.qpos(i)).isCloseTo(b.qpos(i), within(1e-12));
            }
            assertThat(a.sensordata(2)).isEqualTo(a.qpos(2));
        }
    }

    @Test
    void mujocoError_becomesJavaException_notExit() {
        MuJoCoNative.load();
        assertThatThrownBy(() -> MuJoCoNative.gorl_raise_error("boom"))
                .hasMessageContaining("MuJoCo error: boom");
    }

    @Test
    void stackOverflow_inStep_becomesMuJoCoException_andDataIsReset() {
        // Two boxes with a stack too small for their contacts: mju_error would exit() the process.
        String boxes = "<mujoco><option timestep=\"0.002\"/><size nstack=\"400\"/><worldbody>"
                + "<geom type=\"plane\" size=\"1 1 .1\"/>"
                + "<body pos=\"0 0 .3\"><freejoint/><geom type=\"box\" size=\".1 .1 .1\"/></body>"
                + "<body pos=\".05 0 .6\"><freejoint/><geom type=\"box\" size=\".1 .1 .1\"/></body>"
                + "</worldbody></mujoco>";
        try (MjModel model = MjModel.fromXml(boxes); MjData data = model.makeData()) {
            assertThatThrownBy(() -> {
                for (int i = 0; i < 1000; i++) {
                    data.step();
                }
            }).isInstanceOf(MuJoCoException.class).hasMessageContaining("Stack overflow");
            assertThat(data.time()).isZero();
            assertThat(data.qpos(2)).isEqualTo(0.3);
            data.forward();
        }
    }

    @Test
    void constraintBuffers_reportTheirSizes_peaks_andOverflow() {
        String boxes = "<mujoco><option timestep=\"0.002\"/>%s<worldbody>"
                + "<geom type=\"plane\" size=\"1 1 .1\"/>"
                + "<body pos=\"0 0 .3\"><freejoint/><geom type=\"box\" size=\".1 .1 .1\"/></body>"
                + "</worldbody></mujoco>";
        try (MjModel defaults = MjModel.fromXml(String.format(boxes, ""))) {
            assertThat(defaults.maxConstraints()).isEqualTo(500);
            assertThat(defaults.maxContacts()).isEqualTo(100);
        }
        try (MjModel model = MjModel.fromXml(String.format(boxes, "<size njmax=\"60\" nconmax=\"10\"/>"));
                MjData data = model.makeData()) {
            assertThat(model.maxConstraints()).isEqualTo(60);
            assertThat(model.maxContacts()).isEqualTo(10);
            for (int i = 0; i < 500; i++) {
                data.step();
            }
            // the box rests on the plane: four corner contacts, each with pyramidal friction rows
            assertThat(data.ncon()).isEqualTo(4);
            assertThat(data.nefc()).isPositive().isLessThanOrEqualTo(60);
            assertThat(data.peakContacts()).isGreaterThanOrEqualTo(4);
            assertThat(data.peakConstraints()).isGreaterThanOrEqualTo(data.nefc());
            assertThat(data.warningCount(MjWarning.CONSTRAINT_FULL)).isZero();
            data.reset();
            assertThat(data.peakConstraints()).isZero();
        }
        try (MjModel tight = MjModel.fromXml(String.format(boxes, "<size njmax=\"4\" nconmax=\"10\"/>"));
                MjData data = tight.makeData()) {
            for (int i = 0; i < 500; i++) {
                data.step();
            }
            assertThat(data.warningCount(MjWarning.CONSTRAINT_FULL)).isPositive();
        }
    }

    @Test
    void stackOverflow_whileCompiling_isALoadError() {
        String tiny = BALL.replace("<option timestep=\"0.002\"/>", "<option timestep=\"0.002\"/><size nstack=\"10\"/>");
        assertThatThrownBy(() -> MjModel.fromXml(tiny))
                .isInstanceOf(MuJoCoException.class)
                .hasMessageContaining("Stack overflow");
    }

    @Test
    void divergence_becomesInstabilityException() {
        try (MjModel model = MjModel.fromXml(BALL); MjData data = model.makeData()) {
            data.forward();
            MjData.clearLastWarningMessage();
            data.setQvel(0, Double.NaN);
            assertThatThrownBy(data::step)
                    .isInstanceOf(MjInstabilityException.class)
                    .hasMessageContaining("MuJoCo");
            assertThat(data.warningCount(MjWarning.BAD_QVEL)).isZero();
            assertThat(MjData.lastWarningMessage()).contains("QVEL");
            MjData.clearLastWarningMessage();
            assertThat(MjData.lastWarningMessage()).isEmpty();
            data.step();
        }
    }
}
