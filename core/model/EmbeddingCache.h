#pragma once
// Image embeddings kept for reuse, least recently used first out, within a
// memory budget in bytes. Keys are the caller's (an image checksum plus the
// model, say). Thread-safe: the inference worker fills it, others may read.
#include "model/Tokenizer.h"

#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

namespace samtok::model {

class EmbeddingCache {
public:
    explicit EmbeddingCache(std::size_t budgetBytes) : budget_(budgetBytes) {}

    std::shared_ptr<const ImageEmbedding> find(const std::string& key);  // marks it most recent
    // An embedding larger than the whole budget is not kept.
    void insert(const std::string& key, std::shared_ptr<const ImageEmbedding> embedding);
    void clear();
    void setBudget(std::size_t bytes);

    std::size_t bytes() const;
    std::size_t size() const;
    std::size_t budget() const { return budget_; }

private:
    void evict();  // caller holds mutex_
    using Entry = std::pair<std::string, std::shared_ptr<const ImageEmbedding>>;
    mutable std::mutex mutex_;
    std::size_t budget_;
    std::size_t bytes_ = 0;
    std::list<Entry> order_;  // front: most recent
    std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

}  // namespace samtok::model
