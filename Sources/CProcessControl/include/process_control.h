#ifndef BOTHOST_PROCESS_CONTROL_H
#define BOTHOST_PROCESS_CONTROL_H

/* The Linux process controls an isolated plugin's process applies to itself before it loads the
 * plugin. prctl is variadic in C, which Swift cannot call, hence these wrappers. Each returns 0 on
 * success, or -1 with errno set. */

/* PR_SET_NO_NEW_PRIVS: exec can never grant more privileges (setuid bits, file capabilities).
 * It is per thread (inherited by threads created later), so an isolated plugin's process gets it
 * before main, from a constructor that looks for this variable (set to "1") in its environment. */
#define BOTHOST_ISOLATED_PLUGIN_VARIABLE "BOTHOST_ISOLATED_PLUGIN"
int bothost_set_no_new_privs(void);

/* PR_SET_DUMPABLE 0: no core dump, and other processes of the same user cannot ptrace it or read
 * its memory (only root can). */
int bothost_set_not_dumpable(void);

/* pipe2(O_CLOEXEC). */
int bothost_pipe_cloexec(int fds[2]);

/* Starts `path` for an isolated plugin: fd 0 from /dev/null, fds 1 and 2 onto `output_fd`, fd 3
 * onto `channel_fd`, every other descriptor closed, default signal dispositions, an empty signal
 * mask, a session of its own, and exactly `envp` as its environment. Returns 0 and the pid, or an
 * errno value. */
int bothost_spawn_isolated(const char *path, char *const argv[], char *const envp[], int channel_fd, int output_fd,
                           int *out_pid);

#endif
