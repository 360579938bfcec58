#define _GNU_SOURCE
#include "process_control.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

int bothost_set_no_new_privs(void) { return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); }

/* no_new_privs is a per-thread attribute that threads inherit when they are created. Set here,
 * before main, in an isolated plugin's process (the host marks its environment), it holds for
 * every thread the process will ever have: the Swift runtime starts its threads later. */
__attribute__((constructor)) static void bothost_confine_before_main(void) {
    const char *marker = getenv(BOTHOST_ISOLATED_PLUGIN_VARIABLE);
    if (marker != NULL && marker[0] == '1') (void)prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

int bothost_set_not_dumpable(void) { return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0); }


int bothost_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int bothost_spawn_isolated(const char *path, char *const argv[], char *const envp[], int channel_fd, int output_fd,
                           int *out_pid) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    int result = posix_spawn_file_actions_init(&actions);
    if (result != 0) return result;
    result = posix_spawnattr_init(&attributes);
    if (result != 0) { posix_spawn_file_actions_destroy(&actions); return result; }

    sigset_t defaults, mask;
    sigfillset(&defaults);
    sigemptyset(&mask);
    if ((result = posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)) == 0 &&
        (result = posix_spawn_file_actions_adddup2(&actions, output_fd, 1)) == 0 &&
        (result = posix_spawn_file_actions_adddup2(&actions, output_fd, 2)) == 0 &&
        (result = posix_spawn_file_actions_adddup2(&actions, channel_fd, 3)) == 0 &&
        (result = posix_spawn_file_actions_addclosefrom_np(&actions, 4)) == 0 &&
        (result = posix_spawnattr_setsigdefault(&attributes, &defaults)) == 0 &&
        (result = posix_spawnattr_setsigmask(&attributes, &mask)) == 0 &&
        (result = posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSID)) == 0) {
        pid_t pid = 0;
        result = posix_spawn(&pid, path, &actions, &attributes, argv, envp);
        if (result == 0) *out_pid = (int)pid;
    }
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    return result;
}
