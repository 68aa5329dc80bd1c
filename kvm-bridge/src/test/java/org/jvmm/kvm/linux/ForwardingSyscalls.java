package org.jvmm.kvm.linux;

import java.lang.foreign.MemorySegment;
import org.jvmm.host.sys.Syscalls;

/** Test double: forwards every call to the real seam; tests override the calls they script. */
class ForwardingSyscalls implements Syscalls {
    final Syscalls real = Syscalls.linux();
    int setMemoryRegionCalls;

    @Override
    public int open(String path, int flags) {
        return real.open(path, flags);
    }

    @Override
    public int close(int fd) {
        return real.close(fd);
    }

    @Override
    public int ioctl(int fd, long request, MemorySegment arg) {
        if (request == KvmIoctls.KVM_SET_USER_MEMORY_REGION) {
            setMemoryRegionCalls++;
        }
        return real.ioctl(fd, request, arg);
    }

    @Override
    public int ioctl(int fd, long request, long arg) {
        return real.ioctl(fd, request, arg);
    }

    @Override
    public long mmap(long length, int prot, int flags, int fd, long offset) {
        return real.mmap(length, prot, flags, fd, offset);
    }

    @Override
    public int munmap(long address, long length) {
        return real.munmap(address, length);
    }

    @Override
    public int eventfd(int initval, int flags) {
        return real.eventfd(initval, flags);
    }

    @Override
    public int memfdCreate(String name, int flags) {
        return real.memfdCreate(name, flags);
    }

    @Override
    public int ftruncate(int fd, long length) {
        return real.ftruncate(fd, length);
    }

    @Override
    public long read(int fd, MemorySegment buffer) {
        return real.read(fd, buffer);
    }

    @Override
    public long write(int fd, MemorySegment buffer) {
        return real.write(fd, buffer);
    }

    @Override
    public int getpid() {
        return real.getpid();
    }

    @Override
    public int gettid() {
        return real.gettid();
    }

    @Override
    public int tgkill(int tgid, int tid, int signal) {
        return real.tgkill(tgid, tid, signal);
    }

    @Override
    public int sigaction(int signal, MemorySegment act, MemorySegment oldact) {
        return real.sigaction(signal, act, oldact);
    }

    @Override
    public int pthreadSigmask(int how, MemorySegment set, MemorySegment oldset) {
        return real.pthreadSigmask(how, set, oldset);
    }

    @Override
    public int sigrtmin() {
        return real.sigrtmin();
    }

    @Override
    public MemorySegment noOpSignalHandler() {
        return real.noOpSignalHandler();
    }
}
