/* SPDX-License-Identifier: GPL-2.0 */
/* The verbs; each takes argv starting at the verb's name. */
#ifndef _ATNET_COMMANDS_H
#define _ATNET_COMMANDS_H

int cmd_attach(int argc, char **argv);	/* attach.c */
int cmd_detach(int argc, char **argv);	/* detach.c */
int cmd_show(int argc, char **argv);	/* show.c */
int cmd_monitor(int argc, char **argv);	/* monitor.c */
int cmd_set(int argc, char **argv);	/* ctl.c */
int cmd_up(int argc, char **argv);
int cmd_down(int argc, char **argv);
int cmd_listen(int argc, char **argv);
int cmd_unlisten(int argc, char **argv);
int cmd_resolve(int argc, char **argv);	/* query.c */
int cmd_ping(int argc, char **argv);

#endif /* _ATNET_COMMANDS_H */
