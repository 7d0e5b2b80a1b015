package dev.meridian.policy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GlobTest {

    @ParameterizedTest(name = "{0} ~ {1} = {2}")
    @CsvSource({
        "/etc/shadow*, /etc/shadow, true",
        "/etc/shadow*, /etc/shadow-, true",
        "/etc/shadow*, /etc/shadow/x, false",
        "/etc/shadow*, /etc/passwd, false",
        "/root/**, /root, true",
        "/root/**, /root/.bashrc, true",
        "/root/**, /root/a/b/c, true",
        "/root/**, /rootfs/a, false",
        "**/.ssh/**, /home/ann/.ssh/id_ed25519, true",
        "**/.ssh/**, /.ssh, true",
        "**/.ssh/**, /home/ann/.sshx/id, false",
        "**/.ssh/**, /home/ann/ssh/id, false",
        "/usr/bin/*, /usr/bin/ls, true",
        "/usr/bin/*, /usr/bin/x/ls, false",
        "/usr/bin/*, /usr/bin, false",
        "/a/**/b/*.c, /a/b/x.c, true",
        "/a/**/b/*.c, /a/x/y/b/x.c, true",
        "/a/**/b/*.c, /a/x/y/b/x.h, false",
        "/a/**/b/*.c, /a/b/b/c/x.c, false",
        "/a/?/c, /a/b/c, true",
        "/a/?/c, /a/bb/c, false",
        "/a/*x*y, /a/xxyxy, true",
        "/a/*x*y, /a/xyx, false",
        "/, /, true",
        "/, /a, false",
        "**, /anything/at/all, true",
    })
    void matchesCanonicalPathsAsBytes(String glob, String path, boolean expected) {
        byte[] bytes = (path + "\0garbage").getBytes(StandardCharsets.UTF_8);
        assertEquals(expected, Glob.compile(glob).matches(bytes, path.length()));
    }

    @ParameterizedTest
    @CsvSource({"etc/passwd", "./x", "/a//b", "/a/../b", "/a/./b", "/a/"})
    void rejectsGlobsNoCanonicalPathMatches(String glob) {
        assertNotNull(Glob.problem(glob));
    }

    @ParameterizedTest
    @CsvSource({"/", "/a/b", "**/x", "**"})
    void acceptsAbsoluteAndLeadingGlobstar(String glob) {
        assertNull(Glob.problem(glob));
    }
}
