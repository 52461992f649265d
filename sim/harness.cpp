// The simulated board: the Verilated trnn_system, clocked from C++, its UART bridged to a
// pseudo-terminal, so any serial program can talk to it as to a real board.
//
// usage: harness DIVISOR [LINK]
//   DIVISOR  clock cycles per UART bit (as the design was built with)
//   LINK     optional path of a symlink to create to the pty's device
// Prints "pty <path>" on stdout once the device is ready, then runs until SIGINT/SIGTERM/SIGHUP
// (or its parent's death, on Linux) and
// prints "cycles <n>", the clock cycles simulated (also printed on SIGUSR1, while running).
// While a program has the pty open, the line discipline is raw: bytes pass unchanged.

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <string>
#include <termios.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "Vtrnn_system.h"
#include "verilated.h"

static volatile sig_atomic_t stop_requested = 0, count_requested = 0;
static void on_signal(int) { stop_requested = 1; }
static void on_usr1(int) { count_requested = 1; }

int main(int argc, char **argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s DIVISOR [LINK]\n", argv[0]);
        return 2;
    }
    const long divisor = std::strtol(argv[1], nullptr, 10);
    if (divisor < 4) {
        std::fprintf(stderr, "harness: divisor must be at least 4\n");
        return 2;
    }
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) {
        std::perror("harness: pty");
        return 1;
    }
    const char *slave_name = ptsname(master);
    // hold the slave side open ourselves: reads on the master then never see a hang-up
    // between clients, and the raw mode set here stays in force
    int slave = open(slave_name, O_RDWR | O_NOCTTY);
    if (slave < 0) {
        std::perror("harness: open pty slave");
        return 1;
    }
    struct termios tio;
    tcgetattr(slave, &tio);
    cfmakeraw(&tio);
    tcsetattr(slave, TCSANOW, &tio);
    fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
    if (argc >= 3) {
        unlink(argv[2]);
        if (symlink(slave_name, argv[2]) != 0) {
            std::perror("harness: symlink");
            return 1;
        }
    }
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    std::signal(SIGHUP, on_signal);
    std::signal(SIGUSR1, on_usr1);
#ifdef __linux__
    // the board lives only as long as the program that started it: SIGTERM when it dies
    // (also if it is killed with SIGKILL and cannot end us itself)
    const pid_t parent = getppid();
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) stop_requested = 1;
#endif

    VerilatedContext ctx;
    Vtrnn_system top(&ctx);
    top.rx = 1;
    top.rst = 1;
    for (int i = 0; i < 4; i++) {
        top.clk = 0; top.eval();
        top.clk = 1; top.eval();
    }
    top.rst = 0;
    std::printf("pty %s\n", slave_name);
    std::fflush(stdout);

    std::deque<uint8_t> to_board;           // host bytes waiting to be sent on rx
    long rx_bit = -1, rx_timer = 0;         // bit index in the current rx frame (-1: idle)
    uint16_t rx_frame = 0;
    long tx_timer = -1, tx_bit = 0;         // tx receiver: -1 idle, else cycles to next sample
    uint8_t tx_byte = 0;
    std::string from_board;
    uint64_t quiet_cycles = 0, cycles = 0;
    const long batch = 1 << 14;

    while (!stop_requested) {
        uint8_t buf[4096];
        ssize_t n = read(master, buf, sizeof buf);
        if (n > 0) to_board.insert(to_board.end(), buf, buf + n);
        for (long c = 0; c < batch; c++) {
            // host → board: 8N1 frames on rx, one bit per `divisor` cycles
            if (rx_bit < 0 && !to_board.empty()) {
                rx_frame = (uint16_t)((1u << 9) | ((uint16_t)to_board.front() << 1));
                to_board.pop_front();
                rx_bit = 0;
                rx_timer = divisor;
            }
            if (rx_bit >= 0) {
                top.rx = (rx_frame >> rx_bit) & 1;
                if (--rx_timer == 0) {
                    rx_timer = divisor;
                    if (++rx_bit == 10) rx_bit = -1;
                }
            } else {
                top.rx = 1;
            }
            top.clk = 0; top.eval();
            top.clk = 1; top.eval();
            cycles++;
            // board → host: find the start bit, sample each bit in its middle
            if (tx_timer < 0) {
                if (!top.tx) { tx_timer = divisor + divisor / 2; tx_bit = 0; tx_byte = 0; }
            } else if (--tx_timer == 0) {
                if (tx_bit < 8) {
                    tx_byte |= (uint8_t)(top.tx << tx_bit);
                    tx_bit++;
                    tx_timer = divisor;
                } else {
                    if (top.tx) from_board.push_back((char)tx_byte);   // stop bit must be high
                    tx_timer = -1;
                }
            }
        }
        if (count_requested) {
            count_requested = 0;
            std::printf("cycles %llu\n", (unsigned long long)cycles);
            std::fflush(stdout);
        }
        if (!from_board.empty()) {
            ssize_t w = write(master, from_board.data(), from_board.size());
            // nobody reading (no client, or its buffer is full): drop, as a real UART would
            from_board.clear();
            (void)w;
            quiet_cycles = 0;
        } else if (to_board.empty() && rx_bit < 0 && tx_timer < 0) {
            quiet_cycles += batch;
            // idle in host mode: do not spin the CPU at full speed
            if (quiet_cycles > 50u * batch) usleep(2000);
        } else {
            quiet_cycles = 0;
        }
    }
    top.final();
    std::printf("cycles %llu\n", (unsigned long long)cycles);
    std::fflush(stdout);
    if (argc >= 3) unlink(argv[2]);
    close(slave);
    close(master);
    return 0;
}
