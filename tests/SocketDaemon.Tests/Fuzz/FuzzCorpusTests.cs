using System.Buffers;
using CsCheck;
using SocketDaemon.Fuzz;
using SocketDaemon.Proxy;

namespace SocketDaemon.Tests.Fuzz;

/// <summary>
/// The fuzz harness's targets (tests/Fuzz) in CI: every seed input through every target, then random bytes. The long
/// coverage-guided run is outside CI (docs/dev/fuzzing.md); a finding it makes goes into the corpus and is replayed here.
/// </summary>
public class FuzzCorpusTests
{
    public static TheoryData<string> Targets => [.. FuzzTargets.All.Keys];

    [Theory]
    [MemberData(nameof(Targets))]
    public void Every_corpus_input_runs_through_the_target_without_a_finding(string target)
    {
        var corpus = Path.Combine(AppContext.BaseDirectory, "FuzzCorpus");
        var files = Directory.GetFiles(corpus, "*", SearchOption.AllDirectories);
        Assert.NotEmpty(files);

        foreach (var file in files)
        {
            FuzzTargets.All[target](File.ReadAllBytes(file));
        }
    }

    // The seeds must reach the decoder's deep paths (v1 TCP4/TCP6/UNKNOWN, v2 with and without TLVs), not stop at the
    // first byte: every one but the bad-* ones is a whole header followed by the connection's own bytes.
    [Fact]
    public void Every_proxy_seed_is_a_header_the_decoder_takes()
    {
        var seeds = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "FuzzCorpus", "proxy"));
        Assert.Contains(seeds, s => Path.GetFileName(s).StartsWith("v2-", StringComparison.Ordinal) && s.EndsWith("-tlvs", StringComparison.Ordinal));

        foreach (var seed in seeds.Where(s => !Path.GetFileName(s).StartsWith("bad-", StringComparison.Ordinal)))
        {
            var bytes = new ReadOnlySequence<byte>(File.ReadAllBytes(seed));
            Assert.True(ProxyHeaderDecoder.TryDecode(bytes, out var header, out var consumed), seed);
            Assert.Equal("hello\n", System.Text.Encoding.ASCII.GetString(bytes.Slice(consumed).ToArray()));
            Assert.Equal(Path.GetFileName(seed).StartsWith("v1-", StringComparison.Ordinal) ? 1 : 2, header.Version);
        }
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Random_bytes_run_through_the_target_without_a_finding(string target) =>
        Gen.Byte.Array[0, 300].Sample(bytes =>
        {
            try
            {
                FuzzTargets.All[target](bytes);
            }
            catch (InvalidOperationException ex)
            {
                throw new InvalidOperationException(Convert.ToHexString(bytes), ex);
            }
        }, iter: 2000);
}
