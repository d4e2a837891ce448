using CsCheck;
using SocketDaemon.Fuzz;

namespace SocketDaemon.Tests.Fuzz;

/// <summary>
/// The fuzz harness's targets (tests/Fuzz) in CI: every seed input through every target, then random bytes. The long
/// coverage-guided run is outside CI (docs/fuzzing.md); a finding it makes goes into the corpus and is replayed here.
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
