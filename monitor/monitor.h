/* monitor/monitor.h - the client applet, a monitor: the whole interface of monitor/. */
#ifndef SHMDEV_MONITOR_H
#define SHMDEV_MONITOR_H

int client_main(int argc, char **argv);

#endif
