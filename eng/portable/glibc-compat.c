// Keeps the Native AOT executables at the glibc 2.17 symbol baseline (see PortableLink.targets).
//
// glibc 2.29 gave log and pow new default symbol versions (GLIBC_2.29: the same code without the old SVID
// error-handling wrapper), so linking against the 2.31 sysroot would make every binary that calls them
// need glibc >= 2.29 and refuse to start on RHEL 8 (2.28) or Amazon Linux 2 (2.26). The link wraps those
// symbols (-Wl,--wrap=NAME) and these wrappers call the GLIBC_2.2.5 versions, present in every x86-64 glibc
// including today's. Results are identical for finite inputs; only errno/matherr handling on domain errors
// differs, which managed code never observes (Math.Log/Math.Pow return NaN/Infinity, not errno).
//
// A new function with a post-2.17 version fails the link check (check-glibc.sh): add it here and to
// CniV6GlibcCompatWrap in PortableLink.targets.

double cniv6_log_glibc_2_2_5(double x);
double cniv6_pow_glibc_2_2_5(double x, double y);
__asm__(".symver cniv6_log_glibc_2_2_5, log@GLIBC_2.2.5");
__asm__(".symver cniv6_pow_glibc_2_2_5, pow@GLIBC_2.2.5");

double __wrap_log(double x);
double __wrap_pow(double x, double y);

double __wrap_log(double x) { return cniv6_log_glibc_2_2_5(x); }
double __wrap_pow(double x, double y) { return cniv6_pow_glibc_2_2_5(x, y); }
