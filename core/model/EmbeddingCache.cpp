#include "model/EmbeddingCache.h"

namespace samtok::model {

std::shared_ptr<const ImageEmbedding> EmbeddingCache::find(const std::string& key) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second);
    return it->second->second;
}

void EmbeddingCache::insert(const std::string& key, std::shared_ptr<const ImageEmbedding> embedding) {
    if (!embedding) return;
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto it = index_.find(key); it != index_.end()) {
        bytes_ -= it->second->second->bytes();
        order_.erase(it->second);
        index_.erase(it);
    }
    if (embedding->bytes() > budget_) return;
    bytes_ += embedding->bytes();
    order_.emplace_front(key, std::move(embedding));
    index_[key] = order_.begin();
    evict();
}

void EmbeddingCache::evict() {
    while (bytes_ > budget_ && !order_.empty()) {
        bytes_ -= order_.back().second->bytes();
        index_.erase(order_.back().first);
        order_.pop_back();
    }
}

void EmbeddingCache::clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    order_.clear();
    index_.clear();
    bytes_ = 0;
}

void EmbeddingCache::setBudget(std::size_t bytes) {
    std::lock_guard<std::mutex> lock(mutex_);
    budget_ = bytes;
    evict();
}

std::size_t EmbeddingCache::bytes() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return bytes_;
}

std::size_t EmbeddingCache::size() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return order_.size();
}

}  // namespace samtok::model
