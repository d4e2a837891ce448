using System.Runtime.Versioning;

// The tests open Unix sockets, read SO_PEERCRED and send signals: they are Linux tests.
[assembly: SupportedOSPlatform("linux")]
