// Allocation ticks (about one per 100 KB allocated) of a gc-verbose nettrace: by type, and by the daemon frames that allocated.
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

var etlx = TraceLog.CreateFromEventPipeDataFile(args[0]);
using var log = new TraceLog(etlx);
var byType = new Dictionary<string, long>();
var byStack = new Dictionary<string, long>();
long total = 0;
foreach (var e in log.Events)
{
    if (e is not GCAllocationTickTraceData tick) continue;
    var bytes = tick.AllocationAmount64;
    total += bytes;
    var type = tick.TypeName ?? "?";
    byType[type] = byType.GetValueOrDefault(type) + bytes;
    var frames = new List<string>();
    for (var s = e.CallStack(); s is not null && frames.Count < 6; s = s.Caller)
    {
        var name = s.CodeAddress.FullMethodName;
        if (string.IsNullOrEmpty(name)) continue;
        frames.Add(name.Length > 90 ? name[..90] : name);
    }
    var key = type + " <- " + string.Join(" <- ", frames);
    byStack[key] = byStack.GetValueOrDefault(key) + bytes;
}
Console.WriteLine($"sampled allocations: {total:N0} bytes");
foreach (var (k, v) in byType.OrderByDescending(p => p.Value).Take(12)) Console.WriteLine($"{100.0 * v / total,6:F2}%  {k}");
Console.WriteLine();
foreach (var (k, v) in byStack.OrderByDescending(p => p.Value).Take(15)) Console.WriteLine($"{100.0 * v / total,6:F2}%  {k}");
