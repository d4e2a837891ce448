using System.Buffers;
using System.Text;
using CsCheck;
using SocketDaemon.Protocols.Http;

namespace SocketDaemon.Tests.Framing;

/// <summary>The HTTP request head parser over random inputs: valid heads split anywhere, and garbage.</summary>
public class HttpRequestHeadPropertyTests
{
    private static readonly Gen<string> Token = Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789-_."].Array[1, 12].Select(c => new string(c));

    private static readonly Gen<string> ValidHead =
        Gen.Select(Gen.OneOfConst("GET", "HEAD"), Token.Array[0, 4], Token.Array[0, 2], Gen.OneOfConst("HTTP/1.0", "HTTP/1.1", null), Token.Array[0, 5])
            .Select((method, path, query, version, headers) =>
            {
                var target = "/" + string.Join('/', path) + (query.Length > 0 ? "?" + string.Join('&', query) : string.Empty);
                return version is null
                    ? $"{method} {target}\n"
                    : $"{method} {target} {version}\r\n{string.Concat(headers.Select(h => $"X-{h}: {h}\r\n"))}\r\n";
            });

    [Fact]
    public void A_head_split_anywhere_parses_as_it_does_whole() =>
        Gen.Select(ValidHead, Gen.Int[0, 300].Array[0, 8]).Sample((text, cuts) =>
        {
            var bytes = Encoding.ASCII.GetBytes(text);
            Assert.True(HttpRequestHead.TryParse(new ReadOnlySequence<byte>(bytes), out var whole, out var wholeEnd));
            Assert.True(HttpRequestHead.TryParse(SequenceFactory.Split(bytes, cuts), out var split, out _));

            Assert.Equal(whole, split);
            Assert.Equal(bytes.Length, new ReadOnlySequence<byte>(bytes).Slice(0, wholeEnd).Length);
            Assert.StartsWith(whole!.Path, text[(text.IndexOf(' ', StringComparison.Ordinal) + 1)..], StringComparison.Ordinal);
        }, iter: 500);

    [Fact]
    public void A_head_cut_short_is_incomplete_never_wrong() =>
        Gen.Select(ValidHead, Gen.Double[0, 1]).Sample((text, fraction) =>
        {
            var bytes = Encoding.ASCII.GetBytes(text);
            var cut = bytes[..(int)((bytes.Length - 1) * fraction)];

            Assert.False(HttpRequestHead.TryParse(new ReadOnlySequence<byte>(cut), out _, out _));
        }, iter: 500);

    [Fact]
    public void Random_bytes_give_a_head_or_a_format_error_never_another_exception() =>
        Gen.Select(Gen.Byte.Array[0, 400], Gen.Int[0, 400].Array[0, 6]).Sample((bytes, cuts) =>
        {
            try
            {
                if (HttpRequestHead.TryParse(SequenceFactory.Split(bytes, cuts), out var head, out _))
                {
                    Assert.StartsWith("/", head!.Path, StringComparison.Ordinal);
                }
            }
            catch (FormatException)
            {
            }
        }, iter: 2000);
}
