package lifeline

import (
	"strings"
	"testing"
)

func TestHashSecret(t *testing.T) {
	p := HashParams{Time: 1, MemoryKiB: 64, Threads: 1}
	h := p.hashSecret("correct horse")
	if strings.Contains(h, "correct") || !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash %q", h)
	}
	if h2 := p.hashSecret("correct horse"); h2 == h {
		t.Fatal("two hashes of one secret are equal: no salt")
	}
	if !verifySecret(h, "correct horse") || verifySecret(h, "correct horsf") || verifySecret("garbage", "x") {
		t.Fatal("verifySecret disagrees with hashSecret")
	}
}
