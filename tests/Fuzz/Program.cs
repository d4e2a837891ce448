using SharpFuzz;
using SocketDaemon.Fuzz;

// socketdaemon-fuzz TARGET                 libFuzzer (under libfuzzer-dotnet), after `sharpfuzz` instrumented the assemblies
// socketdaemon-fuzz afl TARGET             AFL++ (afl-fuzz ... -- dotnet socketdaemon-fuzz.dll afl TARGET)
// socketdaemon-fuzz replay TARGET PATH...  runs files or directories through TARGET once, as the CI test does
switch (args)
{
    case [var name] when FuzzTargets.All.TryGetValue(name, out var target):
        Fuzzer.LibFuzzer.Run(span => target(span.ToArray()));
        return 0;

    case ["afl", var name] when FuzzTargets.All.TryGetValue(name, out var target):
        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            target(buffer.ToArray());
        });
        return 0;

    case ["replay", var name, .. var paths] when FuzzTargets.All.TryGetValue(name, out var target):
        var files = paths.SelectMany(p => Directory.Exists(p) ? Directory.GetFiles(p, "*", SearchOption.AllDirectories) : [p]).ToList();
        files.ForEach(f => target(File.ReadAllBytes(f)));
        Console.WriteLine($"{name}: {files.Count} inputs, no finding");
        return 0;

    default:
        Console.Error.WriteLine($"usage: socketdaemon-fuzz [afl|replay] TARGET [PATH...]; targets: {string.Join(", ", FuzzTargets.All.Keys)}");
        return 64;
}
